package io.leann.shard.search;

import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.filter.FilteredSearchPlanner;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import java.util.BitSet;

/**
 * Picks how one shard answers a query, the same way in the CLI, the single-node server and the
 * cluster's shard actors: stored vectors when the caller does not recompute (or, for an index
 * without vectors, the compressed PQ-only search when it has PQ codes); otherwise the two-level
 * search when the index is ours and has PQ codes (a bounded number of recomputes, filters applied during the
 * walk), or the plain recompute walk of an index without them (with the filter planner's exact scan
 * for selective filters). Stateless and thread-safe as far as the recomputer and cache are.
 */
public final class ShardSearch {
  /** Bytes of recomputed embeddings each loaded shard keeps across queries (LRU). */
  public static final long SHARD_CACHE_BYTES = 32L << 20;

  private ShardSearch() {}

  /**
   * @param matches node ids the metadata filter admits, or null for no filter
   * @param recomputer recomputes distances or embeddings for a search without stored vectors; null
   *     to use the stored vectors
   * @param cache the shard's cross-query embedding cache, or null
   * @param twoLevel two-level knobs, used when the index has PQ codes (its beam also by the compressed
   *     search, its batch size as the dynamic batch target of the plain walk); null for the defaults
   * @param <R> a recomputer that can also return embeddings
   */
  public static <R extends Recomputer & NodeEmbedder> SearchResult search(SearchableIndex index,
      float[] query, int k, int ef, BitSet matches, R recomputer, EmbeddingCache<Integer> cache,
      TwoLevelOptions twoLevel) {
    TwoLevelOptions options = twoLevel != null ? twoLevel : TwoLevelOptions.defaults();
    if (matches != null && matches.isEmpty()) {
      return new SearchResult(new int[0], new float[0], new SearchStats(0, 0, 0));
    }
    if (recomputer != null && index instanceof HnswIndex h && h.hasPq()) {
      return h.searchTwoLevel(query, k, ef, matches == null ? null : matches::get, recomputer, cache, options);
    }
    if (recomputer == null && !index.hasVectors() && index instanceof HnswIndex h && h.hasPq()) {
      return h.searchApproximate(query, k, Math.max(ef, options.approximateBeam()),
          matches == null ? null : matches::get);
    }
    if (recomputer == null) {
      return matches == null
          ? index.search(query, k, ef)
          : FilteredSearchPlanner.search(index, query, k, ef, matches, null);
    }
    long[] cost = new long[3];
    Recomputer timed = (q, ids, count, out) -> {
      long t = System.nanoTime();
      recomputer.distances(q, ids, count, out);
      cost[0] += System.nanoTime() - t;
      cost[1] += count;
      cost[2]++;
    };
    long start = System.nanoTime();
    SearchResult r = matches == null
        ? index.search(query, k, ef, null, timed, options.batchSize())
        : FilteredSearchPlanner.search(index, query, k, ef, matches, timed);
    return new SearchResult(r.nodes(), r.distances(),
        r.stats().withRecompute(cost[1], cost[2], 0, System.nanoTime() - start, cost[0]));
  }
}
