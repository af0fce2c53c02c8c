package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.pq.PqCodes;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorDistances;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * LEANN's two-level search (paper, Algorithm 2) for an index whose embeddings are not stored. The
 * graph walk ranks nodes by approximate distances ({@link ApproximateDistances}: PQ codes), which
 * cost nothing remote, so it can use a wide beam. Only the most promising of the nodes it
 * keeps are then ranked exactly: in approximate order, hubs and cached embeddings for free, and at
 * most {@link TwoLevelOptions#recomputeBudget()} recomputed, in requests of
 * {@link TwoLevelOptions#batchSize()} nodes, fewer when {@link TwoLevelOptions#stopMargin()} lets the
 * rerank stop early (requests of {@value #EARLY_STOP_BATCH} then, unless a batch size is given, the
 * first at least k). The returned top-k is always ordered by exact distances, never by PQ.
 *
 * <p>Invariant: with a budget covering every candidate and no prune ratio, the result is the exact
 * top-k of the candidates the walk found. Thread-safe if the embedder and cache are: the per-query
 * state lives in the call.
 */
public final class TwoLevelSearch {
  /** Recomputes per request when the rerank may stop early and no batch size is given. */
  static final int EARLY_STOP_BATCH = 8;

  private final HnswGraph graph;
  private final PqCodes codes;
  private final HubVectors hubs;
  private final Metric metric;
  private final Similarity similarity;

  public TwoLevelSearch(HnswGraph graph, PqCodes codes, HubVectors hubs, Metric metric) {
    this.graph = graph;
    this.codes = codes;
    this.hubs = hubs;
    this.metric = metric;
    this.similarity = Similarity.of(metric);
  }

  /**
   * @param walker the calling thread's graph searcher
   * @param query the query, normalised already for cosine
   * @param accept node filter applied during the PQ walk, or null for all nodes
   * @param embedder recomputes embeddings; pass it through {@code stats} to count its cost
   * @param cache cross-query embeddings of this index's nodes, normalised for cosine; null for none
   * @param stats where the walk's and the rerank's work is counted
   */
  public SearchResult search(GraphSearcher walker, float[] query, int k, int ef, IntPredicate accept,
      NodeEmbedder embedder, EmbeddingCache<Integer> cache, TwoLevelOptions options, SearchStats.Collector stats) {
    ApproximateDistances approx = new ApproximateDistances(codes, metric).setQuery(query);
    int width = Math.max(options.approximateBeam(), Math.max(ef, k));
    SearchResult walk = walker.search(graph, approx, width, width, accept, 0);
    stats.walkedApproximately(walk.stats());
    int n = walk.size();
    int keep = Math.max(Math.min(k, n), (int) Math.ceil(n * (1 - options.pruneRatio())));
    if (options.recomputeBudget() > 0) {
      keep = Math.min(keep, Math.max(k, options.recomputeBudget()));
    }

    int[] ranked = new int[keep];
    float[] exact = new float[keep];
    int rankedCount = 0;
    int[] fetch = new int[keep];
    float[] fetchApproximate = new float[keep];
    int fetchCount = 0;
    // The most PQ overstated an exact distance so far: how far below its PQ distance a candidate's
    // exact one may lie, for the early stop.
    float overstated = 0;
    for (int i = 0; i < keep; i++) {
      int node = walk.nodes()[i];
      int slot = hubs == null ? -1 : hubs.slot(node);
      float[] cached = slot >= 0 || cache == null ? null : cache.get(node);
      if (slot >= 0 || cached != null) {
        stats.ranked(slot >= 0, slot < 0);
        ranked[rankedCount] = node;
        exact[rankedCount] = slot >= 0 ? hubs.distance(query, slot, similarity) : similarity.distance(query, cached);
        overstated = Math.max(overstated, walk.distances()[i] - exact[rankedCount++]);
      } else {
        fetchApproximate[fetchCount] = walk.distances()[i];
        fetch[fetchCount++] = node;
      }
    }

    boolean earlyStop = options.stopMargin() > 0;
    int step = options.batchSize() > 0 ? options.batchSize() : earlyStop ? EARLY_STOP_BATCH : Math.max(1, fetchCount);
    for (int from = 0, count; from < fetchCount; from += count) {
      if (earlyStop && rankedCount >= k
          && fetchApproximate[from] - options.stopMargin() * overstated > kthSmallest(exact, rankedCount, k)) {
        break;
      }
      // The first request brings at least the k exact distances the stop compares with (exactly k
      // stopped later on the README's query: 5 + 8 recomputes against 8).
      count = Math.min(earlyStop && from == 0 ? Math.max(step, k) : step, fetchCount - from);
      int[] batch = Arrays.copyOfRange(fetch, from, from + count);
      float[][] vectors = embedder.embeddings(batch, count);
      if (vectors.length != count) {
        throw new RecomputeException("asked for " + count + " embeddings, got " + vectors.length);
      }
      for (int i = 0; i < count; i++) {
        float[] v = vectors[i];
        if (v.length != query.length) {
          throw new RecomputeException("recomputed embedding has " + v.length
              + " dimensions, the index has " + query.length);
        }
        if (metric.normalises()) {
          VectorDistances.normalize(v);
        }
        if (cache != null) {
          cache.put(batch[i], v);
        }
        stats.ranked(false, false);
        ranked[rankedCount] = batch[i];
        exact[rankedCount] = similarity.distance(query, v);
        overstated = Math.max(overstated, fetchApproximate[from + i] - exact[rankedCount++]);
      }
    }
    return topK(ranked, exact, rankedCount, k, stats.stats());
  }

  /** The {@code k}-th smallest of {@code values[0..count)}. */
  private static float kthSmallest(float[] values, int count, int k) {
    float[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    return sorted[k - 1];
  }

  /** The {@code k} smallest distances, closest first; ties broken by node id for a stable order. */
  private static SearchResult topK(int[] nodes, float[] distances, int count, int k, SearchStats stats) {
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Float.compare(distances[a], distances[b]);
      return c != 0 ? c : Integer.compare(nodes[a], nodes[b]);
    });
    int n = Math.min(k, count);
    int[] outNodes = new int[n];
    float[] outDistances = new float[n];
    for (int i = 0; i < n; i++) {
      outNodes[i] = nodes[order[i]];
      outDistances[i] = distances[order[i]];
    }
    return new SearchResult(outNodes, outDistances, stats);
  }
}
