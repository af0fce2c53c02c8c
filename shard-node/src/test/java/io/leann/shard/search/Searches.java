package io.leann.shard.search;

import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import java.util.BitSet;

/** Short forms of {@link ShardSearch} plans for tests that exercise one scorer directly. */
public final class Searches {
  private Searches() {}

  /** A walk on the stored vectors. */
  public static SearchResult stored(SearchableIndex index, float[] query, int k, int ef) {
    return ShardSearch.search(index, SearchPlan.of(SearchPlan.Scorer.STORED, k, ef), query, null, null, null);
  }

  /** A walk on recomputed distances, one request per expanded node. */
  public static SearchResult recomputed(SearchableIndex index, float[] query, int k, int ef, Recomputer recomputer) {
    return recomputed(index, query, k, ef, recomputer, 0);
  }

  /** A walk on recomputed distances with dynamic batches of {@code batchTarget} nodes. */
  public static SearchResult recomputed(SearchableIndex index, float[] query, int k, int ef, Recomputer recomputer,
      int batchTarget) {
    TwoLevelOptions options = new TwoLevelOptions(TwoLevelOptions.DEFAULT_BUDGET, 0, batchTarget,
        TwoLevelOptions.DEFAULT_BEAM);
    return ShardSearch.search(index, new SearchPlan(SearchPlan.Scorer.RECOMPUTE, k, ef, null, false, options),
        query, recomputer, null, null);
  }

  /** LEANN's two-level search: a PQ walk admitting {@code matches} (null: all), then the exact rerank. */
  public static SearchResult twoLevel(SearchableIndex index, float[] query, int k, int ef, BitSet matches,
      NodeEmbedder embedder, EmbeddingCache<Integer> cache, TwoLevelOptions options) {
    return ShardSearch.search(index, new SearchPlan(SearchPlan.Scorer.TWO_LEVEL, k, ef, matches, false, options),
        query, null, embedder, cache);
  }

  /**
   * A graph walk admitting only {@code matches}, on recomputed distances if a recomputer is given,
   * else on the stored vectors.
   */
  public static SearchResult walkFiltered(SearchableIndex index, float[] query, int k, int ef, BitSet matches,
      Recomputer recomputer) {
    SearchPlan.Scorer scorer = recomputer == null ? SearchPlan.Scorer.STORED : SearchPlan.Scorer.RECOMPUTE;
    return ShardSearch.search(index, new SearchPlan(scorer, k, ef, matches, false, null), query, recomputer, null,
        null);
  }
}
