package io.leann.shard.hnsw;

/**
 * The mutable graph an {@link HnswBuilder} inserts into. Each (node, level) owns one {@code int[]}
 * list laid out as {@code [count, id1, id2, ...]} plus a parallel {@code float[]} of the distances
 * to those neighbours, so shrinking an overfull list needs no distance recomputation.
 *
 * <p>Thread safety: every list is guarded by its own monitor (the list array itself); readers copy
 * a list under that monitor, so concurrent inserts never expose a half-written list. Levels are
 * fixed at construction, which lets all lists be allocated before any thread starts. The entry
 * point is published as one immutable pair through a volatile field.
 */
public final class OnHeapGraph implements HnswGraph {
  private final int[] levels;
  private final int[][][] links;
  private final float[][][] distances;
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
    this.levels = levels;
    this.m = m;
    this.m0 = m0;
    this.links = new int[levels.length][][];
    this.distances = new float[levels.length][][];
    for (int node = 0; node < levels.length; node++) {
      int top = levels[node];
      links[node] = new int[top + 1][];
      distances[node] = new float[top + 1][];
      for (int l = 0; l <= top; l++) {
        int cap = l == 0 ? m0 : m;
        links[node][l] = new int[cap + 1];
        distances[node][l] = new float[cap];
      }
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
    int[] list = links[node][level];
    synchronized (list) {
      int count = list[0];
      System.arraycopy(list, 1, dst, 0, count);
      return count;
    }
  }

  /** Copies the neighbour distances of ({@code node}, {@code level}) into {@code dst}; returns the count. */
  int neighborsWithDistances(int level, int node, int[] ids, float[] dists) {
    int[] list = links[node][level];
    synchronized (list) {
      int count = list[0];
      System.arraycopy(list, 1, ids, 0, count);
      System.arraycopy(distances[node][level], 0, dists, 0, count);
      return count;
    }
  }

  /** The monitor that guards the list of ({@code node}, {@code level}). */
  Object lock(int level, int node) {
    return links[node][level];
  }

  /** Raw list of ({@code node}, {@code level}); callers hold {@link #lock}. */
  int[] rawLinks(int level, int node) {
    return links[node][level];
  }

  /** Raw distances of ({@code node}, {@code level}); callers hold {@link #lock}. */
  float[] rawDistances(int level, int node) {
    return distances[node][level];
  }

  /** Replaces the list of ({@code node}, {@code level}) with the first {@code count} given pairs. */
  void setNeighbors(int level, int node, int[] ids, float[] dists, int count) {
    int[] list = links[node][level];
    synchronized (list) {
      list[0] = count;
      System.arraycopy(ids, 0, list, 1, count);
      System.arraycopy(dists, 0, distances[node][level], 0, count);
    }
  }

  /** Total number of directed links on {@code level}. */
  public long edgeCount(int level) {
    long total = 0;
    for (int node = 0; node < levels.length; node++) {
      if (levels[node] >= level) {
        total += links[node][level][0];
      }
    }
    return total;
  }
}
