package io.leann.shard.hnsw;

import java.util.Arrays;

/**
 * Marks visited nodes with a generation number, so starting a new search costs one increment
 * instead of clearing an array the size of the graph. The array is wiped only when the counter
 * wraps. Not thread-safe: one per searching thread.
 */
public final class VisitedSet {
  private int[] marks;
  private int generation = 1;

  public VisitedSet(int capacity) {
    this.marks = new int[capacity];
  }

  /** Forgets every visit and makes room for node ids below {@code capacity}. */
  public void reset(int capacity) {
    if (marks.length < capacity) {
      marks = new int[Math.max(capacity, marks.length + (marks.length >> 1))];
      generation = 1;
      return;
    }
    if (++generation == Integer.MAX_VALUE) {
      Arrays.fill(marks, 0);
      generation = 1;
    }
  }

  /** Marks {@code node}; returns true if it had not been visited in this generation. */
  public boolean visit(int node) {
    if (marks[node] == generation) {
      return false;
    }
    marks[node] = generation;
    return true;
  }

  public boolean isVisited(int node) {
    return marks[node] == generation;
  }
}
