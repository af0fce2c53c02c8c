package io.leann.bench;

import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.search.SearchPlan;
import io.leann.shard.search.ShardSearch;

/** The benchmarks' fixed plans: each runs one scorer of {@link ShardSearch} whatever the index holds. */
public final class Plans {
  /** Two-level knobs whose PQ beam does not widen the walk: the beam is the benchmark's ef. */
  private static final TwoLevelOptions EF_ONLY = new TwoLevelOptions(TwoLevelOptions.DEFAULT_BUDGET, 0, 0, 0);

  private Plans() {}

  public static SearchResult stored(SearchableIndex index, float[] query, int k, int ef) {
    return ShardSearch.search(index, SearchPlan.of(SearchPlan.Scorer.STORED, k, ef), query, null, null, null);
  }

  public static SearchResult recomputed(SearchableIndex index, float[] query, int k, int ef, Recomputer recomputer) {
    return ShardSearch.search(index, SearchPlan.of(SearchPlan.Scorer.RECOMPUTE, k, ef), query, recomputer, null,
        null);
  }

  public static SearchResult twoLevel(SearchableIndex index, float[] query, int k, int ef, NodeEmbedder embedder,
      EmbeddingCache<Integer> cache, TwoLevelOptions options) {
    return ShardSearch.search(index, new SearchPlan(SearchPlan.Scorer.TWO_LEVEL, k, ef, null, false, options), query,
        null, embedder, cache);
  }

  /** PQ distances alone, with a beam of {@code max(ef, k)}. */
  public static SearchResult pqOnly(SearchableIndex index, float[] query, int k, int ef) {
    return ShardSearch.search(index, new SearchPlan(SearchPlan.Scorer.PQ, k, ef, null, false, EF_ONLY), query, null,
        null, null);
  }
}
