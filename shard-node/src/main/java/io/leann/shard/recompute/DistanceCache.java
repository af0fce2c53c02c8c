package io.leann.shard.recompute;

import java.util.Arrays;

/**
 * Node id to distance, for one query: an open-addressing table of primitives (no boxing on the
 * search path) whose {@link #clear()} is O(1), by bumping a generation stamp instead of wiping the
 * arrays. Grows by doubling at half load. Not thread-safe.
 */
final class DistanceCache {
  private static final int INITIAL_CAPACITY = 1024;

  private int[] keys = new int[INITIAL_CAPACITY];
  private float[] values = new float[INITIAL_CAPACITY];
  private int[] stamps = new int[INITIAL_CAPACITY];
  private int generation = 1;
  private int size;

  /** Whether {@code key} has a value in the current generation. */
  boolean contains(int key) {
    return stamps[slot(keys, stamps, key)] == generation;
  }

  /** The value of {@code key}; only meaningful if {@link #contains} says it is there. */
  float get(int key) {
    return values[slot(keys, stamps, key)];
  }

  void put(int key, float value) {
    int s = slot(keys, stamps, key);
    if (stamps[s] != generation) {
      if (2 * (size + 1) > keys.length) {
        grow();
        s = slot(keys, stamps, key);
      }
      keys[s] = key;
      stamps[s] = generation;
      size++;
    }
    values[s] = value;
  }

  int size() {
    return size;
  }

  void clear() {
    size = 0;
    if (++generation == 0) {
      // Stamps wrapped around after 2^32 clears: wipe them so no stale entry looks current.
      Arrays.fill(stamps, 0);
      generation = 1;
    }
  }

  /** The slot holding {@code key}, or the empty (stale) slot where it would go. */
  private int slot(int[] ks, int[] ss, int key) {
    int mask = ks.length - 1;
    int h = key * 0x9E3779B9;
    int s = (h ^ (h >>> 16)) & mask;
    while (ss[s] == generation && ks[s] != key) {
      s = (s + 1) & mask;
    }
    return s;
  }

  private void grow() {
    int[] oldKeys = keys;
    float[] oldValues = values;
    int[] oldStamps = stamps;
    keys = new int[oldKeys.length * 2];
    values = new float[keys.length];
    stamps = new int[keys.length];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldStamps[i] == generation) {
        int s = slot(keys, stamps, oldKeys[i]);
        keys[s] = oldKeys[i];
        values[s] = oldValues[i];
        stamps[s] = generation;
      }
    }
  }
}
