package io.leann.shard.hnsw;

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

  /** These stats with the recompute side of a plain recompute walk filled in. */
  public SearchStats withRecompute(long recomputed, long requests, long cacheHits, long walkNanos,
      long recomputeNanos) {
    return new SearchStats(distanceComputations, hops, batches, approximate, exact, hubHits, cacheHits,
        recomputed, requests, Math.max(0, walkNanos - recomputeNanos), recomputeNanos);
  }
}
