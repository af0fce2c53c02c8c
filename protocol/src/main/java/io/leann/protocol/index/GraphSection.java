package io.leann.protocol.index;

/**
 * The sections of a graph file, each identified by a stable id in the section table. Lengths are
 * in bytes; element types are little-endian.
 */
public enum GraphSection {
  /** u8 per node: the node's highest level. */
  LEVELS(1),
  /** Compact layout: u64 per node + 1, start of each node's level-0 list in {@link #LEVEL0_NEIGHBORS}. */
  LEVEL0_OFFSETS(2),
  /**
   * i32 neighbour ids. Compact layout: the lists back to back. Padded layout: a fixed stride of
   * {@code m0 + 1} ints per node, the first being the count.
   */
  LEVEL0_NEIGHBORS(3),
  /** i32 per node above level 0, ascending ids. */
  UPPER_NODES(4),
  /** i32 per upper node: index of its level-1 entry in {@link #UPPER_OFFSETS}. */
  UPPER_BASE(5),
  /** u64 per (upper node, level >= 1) entry + 1: start of that list in {@link #UPPER_NEIGHBORS}. */
  UPPER_OFFSETS(6),
  /** i32 neighbour ids of the upper levels, back to back. */
  UPPER_NEIGHBORS(7),
  /** f32 row-major {@code nodes x dims} (unit rows for cosine). Present when HAS_VECTORS. */
  VECTORS(8),
  /** PQ codebooks: i32 dims, subspaces, bits, 0, then f32 {@code [subspace][centroid][sub-dim]}. */
  PQ_CODEBOOKS(9),
  /** u8 per (node, subspace): the PQ code of every node, row-major. */
  PQ_CODES(10),
  /** i32 ascending: the hub nodes whose exact embeddings are kept. */
  HUB_NODES(11),
  /** f32 row-major {@code hubs x dims}, in {@link #HUB_NODES} order (unit rows for cosine). */
  HUB_VECTORS(12),
  /** Packed layout: u32 per node + 1, byte offset of each node's list in {@link #LEVEL0_PACKED}. */
  LEVEL0_PACKED_OFFSETS(13),
  /**
   * Packed layout: each node's level-0 neighbours in ascending id order, the first id and then the
   * gaps to the next as unsigned LEB128 varints; a list ends where the next node's begins.
   */
  LEVEL0_PACKED(14);

  private final int id;

  GraphSection(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  public static GraphSection fromId(int id) {
    for (GraphSection s : values()) {
      if (s.id == id) {
        return s;
      }
    }
    return null;
  }
}
