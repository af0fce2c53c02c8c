package io.leann.protocol.index;

import io.leann.protocol.Metric;

/**
 * The fixed fields of a graph file.
 *
 * @param metric distance metric
 * @param dims vector dimensions
 * @param nodeCount number of graph nodes
 * @param m degree cap above level 0
 * @param m0 degree cap on level 0
 * @param entryPoint search entry node, -1 if empty
 * @param maxLevel level of the entry point, -1 if empty
 * @param flags {@link #COMPACT}, {@link #PRUNED}, {@link #HAS_VECTORS}, {@link #PACKED}
 */
public record GraphHeader(Metric metric, int dims, int nodeCount, int m, int m0, int entryPoint,
    int maxLevel, int flags) {
  /** Level 0 is stored as CSR without padding (otherwise as fixed-stride padded lists). */
  public static final int COMPACT = 1;
  /** The graph went through high-degree-preserving pruning. */
  public static final int PRUNED = 1 << 1;
  /** The vectors are stored in the file; without them the index is searched by recomputation. */
  public static final int HAS_VECTORS = 1 << 2;
  /**
   * Level 0 is CSR with each list sorted and delta-encoded as varints ({@link GraphSection#LEVEL0_PACKED}):
   * about half the bytes of plain CSR, for indexes whose size is the point (no stored vectors).
   */
  public static final int PACKED = 1 << 3;
  static final int KNOWN_FLAGS = COMPACT | PRUNED | HAS_VECTORS | PACKED;

  public boolean compact() {
    return (flags & COMPACT) != 0;
  }

  public boolean packed() {
    return (flags & PACKED) != 0;
  }

  public boolean pruned() {
    return (flags & PRUNED) != 0;
  }

  public boolean hasVectors() {
    return (flags & HAS_VECTORS) != 0;
  }
}
