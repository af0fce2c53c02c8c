package io.leann.shard.hnsw;

/**
 * Nearest nodes found by a search, closest first.
 *
 * @param nodes graph node ids
 * @param distances engine distances (lower is closer), aligned with {@code nodes}
 * @param stats work the search did
 */
public record SearchResult(int[] nodes, float[] distances, SearchStats stats) {
  public int size() {
    return nodes.length;
  }

  /** Drains a max-queue (farthest on top) into a result ordered closest first. */
  static SearchResult fromMaxQueue(NeighborQueue results, int k, SearchStats stats) {
    while (results.size() > k) {
      results.pop();
    }
    int n = results.size();
    int[] nodes = new int[n];
    float[] distances = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      distances[i] = results.topDistance();
      nodes[i] = results.pop();
    }
    return new SearchResult(nodes, distances, stats);
  }
}
