package io.leann.shard.hnsw;

/**
 * Work a search did.
 *
 * @param distanceComputations distances evaluated (in recompute mode: embeddings recomputed)
 * @param hops nodes expanded, on all levels
 * @param batches distance batches requested (one per expansion step with unvisited neighbours)
 */
public record SearchStats(long distanceComputations, long hops, long batches) {}
