package io.leann.coordinator.build;

import java.util.Arrays;

/** A growable list of primitive longs (one per passage row, so no boxing). Not thread-safe. */
public final class LongList {
  private long[] values = new long[1024];
  private int size;

  public void add(long v) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  public long get(int i) {
    return values[i];
  }

  public int size() {
    return size;
  }
}
