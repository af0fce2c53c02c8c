package io.leann.shard.hnsw;

/**
 * The read side of an HNSW graph, shared by the graph under construction ({@link OnHeapGraph})
 * and the compact CSR graph loaded for search ({@link CompactGraph}). Node ids are
 * {@code 0..size()-1}; every node is on level 0 and on the levels up to {@link #level(int)}.
 */
public interface HnswGraph {

  int size();

  /** Entry point for searches, or -1 for an empty graph. */
  int entryPoint();

  /** Highest level of any node (the entry point's level); -1 for an empty graph. */
  int maxLevel();

  /** Highest level of {@code node}. */
  int level(int node);

  /**
   * Copies the neighbours of {@code node} on {@code level} into {@code dst} and returns how many
   * there are. {@code dst} must hold {@link #maxDegree(int)} ids.
   */
  int neighbors(int level, int node, int[] dst);

  /** Upper bound on the number of neighbours a node has on {@code level}. */
  int maxDegree(int level);
}
