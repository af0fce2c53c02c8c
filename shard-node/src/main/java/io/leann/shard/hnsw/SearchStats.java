package io.leann.shard.hnsw;

import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The work one search did: its cost model. In a recompute search the price is the embeddings
 * recomputed ({@link #recomputed}) and the requests they took; everything else is local.
 *
 * @param distanceComputations nodes whose distance the graph walk evaluated (the nodes it visited)
 * @param hops nodes the walk expanded
 * @param batches distance batches the walk asked for (one per expansion step that found new nodes)
 * @param approximate walk distances that came from PQ codes instead of an exact embedding
 * @param exact nodes ranked by their exact distance (the walk's nodes, or a two-level search's rerank set)
 * @param hubHits exact distances served by stored hub embeddings
 * @param cacheHits exact distances served by the cross-query embedding cache
 * @param recomputed embeddings recomputed from passage text (locally or by embed workers)
 * @param recomputeRequests recompute calls made
 * @param graphNanos time in the graph walk, recompute excluded
 * @param recomputeNanos time waiting for recomputed embeddings or distances
 */
public record SearchStats(long distanceComputations, long hops, long batches, long approximate,
    long exact, long hubHits, long cacheHits, long recomputed, long recomputeRequests, long graphNanos,
    long recomputeNanos) {

  /** The stats of a walk on exact distances only (stored vectors or plain recompute). */
  public SearchStats(long distanceComputations, long hops, long batches) {
    this(distanceComputations, hops, batches, 0, distanceComputations, 0, 0, 0, 0, 0, 0);
  }

  /** The work of two searches together, e.g. of two shards answering one query. */
  public SearchStats plus(SearchStats o) {
    return new SearchStats(distanceComputations + o.distanceComputations, hops + o.hops, batches + o.batches,
        approximate + o.approximate, exact + o.exact, hubHits + o.hubHits, cacheHits + o.cacheHits,
        recomputed + o.recomputed, recomputeRequests + o.recomputeRequests, graphNanos + o.graphNanos,
        recomputeNanos + o.recomputeNanos);
  }

  /** The cost model as a flat map for APIs and logs (times in whole microseconds). */
  public Map<String, Long> toMap() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("nodes_visited", distanceComputations);
    m.put("pq_distances", approximate);
    m.put("exact_distances", exact);
    m.put("hub_hits", hubHits);
    m.put("cache_hits", cacheHits);
    m.put("recomputed", recomputed);
    m.put("recompute_requests", recomputeRequests);
    m.put("graph_us", graphNanos / 1000);
    m.put("recompute_us", recomputeNanos / 1000);
    return m;
  }

  /**
   * The one place a search's stats are gathered, on the search's thread: the walks' and scans'
   * counters, the two-level rerank's hits, and the recompute cost measured where it is paid, by the
   * wrappers {@link #timed(Recomputer)} and {@link #timed(NodeEmbedder)}. Graph time is the elapsed time
   * less the recompute time. One search, one thread.
   */
  public static final class Collector {
    private final long start = System.nanoTime();
    private long distanceComputations;
    private long hops;
    private long batches;
    private long approximate;
    private long exact;
    private long hubHits;
    private long cacheHits;
    private long recomputed;
    private long recomputeRequests;
    private long recomputeNanos;

    /** Adds a walk or scan on exact distances. */
    public void walked(SearchStats walk) {
      distanceComputations += walk.distanceComputations;
      hops += walk.hops;
      batches += walk.batches;
      exact += walk.exact;
    }

    /** Adds a walk on PQ distances: its distances were approximate. */
    public void walkedApproximately(SearchStats walk) {
      distanceComputations += walk.distanceComputations;
      hops += walk.hops;
      batches += walk.batches;
      approximate += walk.distanceComputations;
    }

    /** Counts one node ranked by exact distance outside a walk (a two-level rerank). */
    public void ranked(boolean hub, boolean cached) {
      exact++;
      if (hub) {
        hubHits++;
      } else if (cached) {
        cacheHits++;
      }
    }

    /** {@code recomputer}, with every call counted and timed here. */
    public Recomputer timed(Recomputer recomputer) {
      return (query, ids, count, out) -> {
        long t = System.nanoTime();
        try {
          recomputer.distances(query, ids, count, out);
        } finally {
          recomputeNanos += System.nanoTime() - t;
        }
        recomputed += count;
        recomputeRequests++;
      };
    }

    /** {@code embedder}, with every call counted and timed here. */
    public NodeEmbedder timed(NodeEmbedder embedder) {
      return (ids, count) -> {
        long t = System.nanoTime();
        float[][] vectors;
        try {
          vectors = embedder.embeddings(ids, count);
        } finally {
          recomputeNanos += System.nanoTime() - t;
        }
        recomputed += count;
        recomputeRequests++;
        return vectors;
      };
    }

    /** The stats gathered so far, with the time since this collector was made. */
    public SearchStats stats() {
      long elapsed = System.nanoTime() - start;
      return new SearchStats(distanceComputations, hops, batches, approximate, exact, hubHits, cacheHits,
          recomputed, recomputeRequests, Math.max(0, elapsed - recomputeNanos), recomputeNanos);
    }
  }
}
