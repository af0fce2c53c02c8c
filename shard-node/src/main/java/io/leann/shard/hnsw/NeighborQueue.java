package io.leann.shard.hnsw;

import java.util.Arrays;

/**
 * A binary heap of (node, distance) pairs packed into single longs, so pushes and pops move
 * primitives only. The high 32 bits hold the distance as an order-preserving int, the low 32 the
 * node id; ties on distance break on the smaller node id, which keeps single-threaded builds and
 * searches deterministic.
 *
 * <p>A min-queue has the closest pair on top (the search frontier); a max-queue has the farthest
 * on top (the bounded result set, whose top is the one to evict). Not thread-safe: each search
 * owns its queues and reuses them through {@link #clear()}.
 */
public final class NeighborQueue {
  private final boolean maxHeap;
  private long[] heap;
  private int size;

  public NeighborQueue(int initialCapacity, boolean maxHeap) {
    this.heap = new long[Math.max(1, initialCapacity) + 1];
    this.maxHeap = maxHeap;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public void clear() {
    size = 0;
  }

  public void add(int node, float distance) {
    if (++size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    heap[size] = encode(node, distance);
    upHeap(size);
  }

  /**
   * Adds the pair if the queue holds fewer than {@code capacity} pairs or if the pair is closer
   * than the current top of this max-queue, evicting the top; returns whether it was added.
   */
  public boolean insertWithOverflow(int node, float distance, int capacity) {
    assert maxHeap;
    if (size < capacity) {
      add(node, distance);
      return true;
    }
    long e = encode(node, distance);
    if (e > heap[1]) {
      // max-queue encodings are negated, so a closer pair has the larger encoding
      heap[1] = e;
      downHeap(1);
      return true;
    }
    return false;
  }

  public int topNode() {
    return decodeNode(heap[1]);
  }

  public float topDistance() {
    return decodeDistance(heap[1]);
  }

  /** Removes the top pair and returns its node. */
  public int pop() {
    long top = heap[1];
    heap[1] = heap[size];
    size--;
    if (size > 1) {
      downHeap(1);
    }
    return decodeNode(top);
  }

  /** Node at heap slot {@code i} (0-based, heap order, not sorted). */
  public int nodeAt(int i) {
    return decodeNode(heap[i + 1]);
  }

  /** Distance at heap slot {@code i} (0-based, heap order, not sorted). */
  public float distanceAt(int i) {
    return decodeDistance(heap[i + 1]);
  }

  // Heap order is "smallest encoded value on top"; a max-queue negates its encodings.
  private long encode(int node, float distance) {
    long e = ((long) sortableInt(distance) << 32) | (node & 0xFFFFFFFFL);
    return maxHeap ? -e : e;
  }

  private int decodeNode(long e) {
    return (int) (maxHeap ? -e : e);
  }

  private float decodeDistance(long e) {
    long v = maxHeap ? -e : e;
    return floatFromSortable((int) (v >> 32));
  }

  static int sortableInt(float f) {
    int bits = Float.floatToIntBits(f);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  static float floatFromSortable(int sortable) {
    return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
  }

  private void upHeap(int i) {
    long v = heap[i];
    int parent = i >>> 1;
    while (i > 1 && v < heap[parent]) {
      heap[i] = heap[parent];
      i = parent;
      parent = i >>> 1;
    }
    heap[i] = v;
  }

  private void downHeap(int i) {
    long v = heap[i];
    int child = i << 1;
    while (child <= size) {
      if (child < size && heap[child + 1] < heap[child]) {
        child++;
      }
      if (heap[child] >= v) {
        break;
      }
      heap[i] = heap[child];
      i = child;
      child = i << 1;
    }
    heap[i] = v;
  }
}
