package io.leann.shard.hnsw;

/**
 * The mutable graph an {@link HnswBuilder} inserts into. Level 0, where every node lives, is one
 * flat {@code int[]} with a fixed slot of {@code m0 + 1} ints per node ({@code [count, id1, id2,
 * ...]}), so the graph costs 4 bytes per link slot and no object per node; the upper levels, which
 * hold about {@code 1/M} of the nodes, use one small array per (node, level). No distances are
 * kept: trimming an overfull list recomputes them, as hnswlib does, which keeps peak build memory
 * close to vectors plus graph.
 *
 * <p>Thread safety: a list is read and written under a striped monitor ({@link #lock}); readers
 * copy a list under it, so concurrent inserts never expose a half-written list. Levels are fixed
 * at construction. The entry point is published as one immutable pair through a volatile field.
 */
public final class OnHeapGraph implements HnswGraph {
  private static final int STRIPES = 1 << 12;
  private final int[] levels;
  private final int[] level0;
  private final int[][][] upper;
  private final Object[] stripes = new Object[STRIPES];
  private final int m;
  private final int m0;
  private volatile Entry entry = new Entry(-1, -1);

  record Entry(int node, int level) {}

  /**
   * @param levels highest level of each node
   * @param m degree cap on levels above 0
   * @param m0 degree cap on level 0
   */
  public OnHeapGraph(int[] levels, int m, int m0) {
    if ((long) levels.length * (m0 + 1) > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(levels.length + " nodes with " + m0
          + " level-0 links do not fit one graph; build shards");
    }
    this.levels = levels;
    this.m = m;
    this.m0 = m0;
    this.level0 = new int[levels.length * (m0 + 1)];
    this.upper = new int[levels.length][][];
    for (int node = 0; node < levels.length; node++) {
      if (levels[node] > 0) {
        upper[node] = new int[levels[node]][];
        for (int l = 1; l <= levels[node]; l++) {
          upper[node][l - 1] = new int[m + 1];
        }
      }
    }
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  @Override
  public int size() {
    return levels.length;
  }

  @Override
  public int entryPoint() {
    return entry.node();
  }

  @Override
  public int maxLevel() {
    return entry.level();
  }

  Entry entry() {
    return entry;
  }

  void setEntry(int node, int level) {
    entry = new Entry(node, level);
  }

  @Override
  public int level(int node) {
    return levels[node];
  }

  @Override
  public int maxDegree(int level) {
    return level == 0 ? m0 : m;
  }

  @Override
  public int neighbors(int level, int node, int[] dst) {
    synchronized (lock(level, node)) {
      return copyUnlocked(level, node, dst);
    }
  }

  /** The monitor that guards the list of ({@code node}, {@code level}). */
  Object lock(int level, int node) {
    return stripes[(node * 31 + level) & (STRIPES - 1)];
  }

  /** Copies the list into {@code dst}; the caller holds {@link #lock}. */
  int copyUnlocked(int level, int node, int[] dst) {
    if (level == 0) {
      int base = node * (m0 + 1);
      int count = level0[base];
      System.arraycopy(level0, base + 1, dst, 0, count);
      return count;
    }
    int[] list = upper[node][level - 1];
    System.arraycopy(list, 1, dst, 0, list[0]);
    return list[0];
  }

  /**
   * Appends {@code id} if the list has room; the caller holds {@link #lock}.
   *
   * @return whether it was appended (false: the list is full)
   */
  boolean appendUnlocked(int level, int node, int id) {
    if (level == 0) {
      int base = node * (m0 + 1);
      int count = level0[base];
      if (count == m0) {
        return false;
      }
      level0[base + 1 + count] = id;
      level0[base] = count + 1;
      return true;
    }
    int[] list = upper[node][level - 1];
    if (list[0] == m) {
      return false;
    }
    list[1 + list[0]++] = id;
    return true;
  }

  /** Replaces the list with the first {@code count} ids; the caller holds {@link #lock}. */
  void setUnlocked(int level, int node, int[] ids, int count) {
    if (level == 0) {
      int base = node * (m0 + 1);
      level0[base] = count;
      System.arraycopy(ids, 0, level0, base + 1, count);
    } else {
      int[] list = upper[node][level - 1];
      list[0] = count;
      System.arraycopy(ids, 0, list, 1, count);
    }
  }

  /** Replaces the list of ({@code node}, {@code level}) with the first {@code count} ids. */
  void setNeighbors(int level, int node, int[] ids, int count) {
    synchronized (lock(level, node)) {
      setUnlocked(level, node, ids, count);
    }
  }

  /** Total number of directed links on {@code level}. */
  public long edgeCount(int level) {
    long total = 0;
    int[] scratch = new int[Math.max(m, m0)];
    for (int node = 0; node < levels.length; node++) {
      if (levels[node] >= level) {
        total += neighbors(level, node, scratch);
      }
    }
    return total;
  }

  /** Heap bytes of the link lists. */
  public long byteSize() {
    long bytes = (long) level0.length * Integer.BYTES + (long) levels.length * Integer.BYTES;
    for (int[][] u : upper) {
      if (u != null) {
        bytes += (long) u.length * (m + 1) * Integer.BYTES;
      }
    }
    return bytes;
  }
}
