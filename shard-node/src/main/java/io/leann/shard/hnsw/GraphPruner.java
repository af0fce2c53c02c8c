package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;
import java.util.Arrays;

/**
 * High-degree-preserving pruning of level 0 (LEANN paper, Algorithm 3): the nodes with the
 * highest out-degree, the hubs most searches pass through, keep up to {@code M} links; every other
 * node keeps only {@code m < M}, chosen by the HNSW diversity heuristic from its current links;
 * then each kept link is mirrored while the target has fewer than {@code M} links, which preserves
 * the edges into hubs. A node left with no incoming link at all gets one from its nearest kept
 * neighbour, so pruning never makes a passage unreachable. Upper levels are left alone: they hold about 1/M of the nodes.
 *
 * <p>Candidates come from the node's existing level-0 list (up to 2M links chosen during
 * construction) rather than from a second full build, which keeps pruning linear in the edge
 * count. Single-threaded and deterministic; the graph must not be searched while it runs.
 */
public final class GraphPruner {
  private GraphPruner() {}

  public static void prune(OnHeapGraph graph, VectorValues vectors, Metric metric, PruneParams p) {
    int n = graph.size();
    if (n == 0) {
      return;
    }
    boolean[] hub = selectHubs(graph, p.hubFraction());
    int cap0 = graph.maxDegree(0);
    int fill = Math.min(p.hubDegree(), cap0);
    // Pass 1 picks each node's own links from its current ones, before any list changes.
    int[] kept = new int[n * fill];
    int[] keptCount = new int[n];
    int[] ids = new int[cap0];
    float[] dists = new float[cap0];
    DiversityHeuristic heuristic = new DiversityHeuristic(vectors, metric);
    Similarity similarity = Similarity.of(metric);
    for (int node = 0; node < n; node++) {
      int count = graph.neighbors(0, node, ids);
      for (int i = 0; i < count; i++) {
        dists[i] = similarity.distanceBetween(vectors, node, ids[i]);
      }
      DiversityHeuristic.sortByDistance(ids, dists, count);
      int cap = Math.min(hub[node] ? p.hubDegree() : p.degree(), fill);
      keptCount[node] = heuristic.select(ids, dists, count, cap);
      System.arraycopy(ids, 0, kept, node * fill, keptCount[node]);
    }
    // Pass 2 mirrors kept links into targets that still have room below M.
    int[] out = new int[n * cap0];
    int[] size = keptCount.clone();
    for (int u = 0; u < n; u++) {
      System.arraycopy(kept, u * fill, out, u * cap0, keptCount[u]);
    }
    int[] inDegree = new int[n];
    for (int u = 0; u < n; u++) {
      for (int i = 0; i < keptCount[u]; i++) {
        int v = kept[u * fill + i];
        inDegree[v]++;
        if (size[v] < fill && !contains(out, v * cap0, size[v], u)) {
          out[v * cap0 + size[v]++] = u;
          inDegree[u]++;
        }
      }
    }
    // Pass 3: a node no list points to can never be found. Link it from its nearest kept neighbour
    // with room below the level-0 cap (2M), which is almost always the first.
    for (int u = 0; u < n; u++) {
      if (inDegree[u] > 0 || u == graph.entryPoint()) {
        continue;
      }
      for (int i = 0; i < keptCount[u]; i++) {
        int v = kept[u * fill + i];
        if (size[v] < cap0) {
          out[v * cap0 + size[v]++] = u;
          inDegree[u]++;
          break;
        }
      }
    }
    for (int node = 0; node < n; node++) {
      System.arraycopy(out, node * cap0, ids, 0, size[node]);
      graph.setNeighbors(0, node, ids, size[node]);
    }
  }

  /** Marks the {@code fraction} of nodes with the most level-0 links (ties: lower id first). */
  static boolean[] selectHubs(OnHeapGraph graph, double fraction) {
    int n = graph.size();
    int hubs = (int) Math.ceil(n * fraction);
    boolean[] hub = new boolean[n];
    if (hubs == 0) {
      return hub;
    }
    int[] scratch = new int[graph.maxDegree(0)];
    long[] keyed = new long[n];
    for (int node = 0; node < n; node++) {
      int degree = graph.neighbors(0, node, scratch);
      keyed[node] = ((long) (Integer.MAX_VALUE - degree) << 32) | node;
    }
    Arrays.sort(keyed);
    for (int i = 0; i < Math.min(hubs, n); i++) {
      hub[(int) keyed[i]] = true;
    }
    return hub;
  }

  private static boolean contains(int[] ids, int from, int count, int id) {
    for (int i = from; i < from + count; i++) {
      if (ids[i] == id) {
        return true;
      }
    }
    return false;
  }
}
