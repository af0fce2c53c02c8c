package io.leann.shard.search;

import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.hnsw.ApproximateDistances;
import io.leann.shard.hnsw.DistanceSource;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.hnsw.GraphSearcher;
import io.leann.shard.hnsw.RecomputeDistances;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.StoredVectorDistances;
import io.leann.shard.hnsw.TwoLevelSearch;
import io.leann.shard.pq.PqCodes;
import io.leann.shard.vector.VectorDistances;
import java.util.function.IntPredicate;

/**
 * The search engine of one shard, the same in the CLI, the single-node server and the cluster's
 * shard actors: runs a {@link SearchPlan} over a {@link SearchableIndex}, whatever its file format.
 * This is the one entry point: it checks and normalises the query (once, for cosine), runs the
 * plan's scorer (stored vectors, PQ alone, the recompute walk, or the two-level search), by a graph
 * walk or an exact scan of the filter's matches, and gathers the cost in one
 * {@link SearchStats.Collector}.
 *
 * <p>Thread-safe as far as the recomputer, embedder and cache are: each thread walks with its own
 * {@link GraphSearcher}, and the per-query state lives in the call.
 */
public final class ShardSearch {
  private static final ThreadLocal<GraphSearcher> SEARCHERS = ThreadLocal.withInitial(GraphSearcher::new);

  private ShardSearch() {}

  /**
   * The plan's {@code k} nearest nodes to {@code query}, closest first, in engine distances (lower is
   * closer; {@code Metric.toScore} turns them into scores), with the work they took.
   *
   * @param query the query embedding as the model returned it
   * @param recomputer distances of recomputed embeddings, for {@link SearchPlan.Scorer#RECOMPUTE}; else unused
   * @param embedder recomputed embeddings, for {@link SearchPlan.Scorer#TWO_LEVEL}; else unused
   * @param cache the shard's cross-query embedding cache for a two-level search, or null
   * @throws IllegalArgumentException if the query has the wrong dimensions
   * @throws IllegalStateException if the plan's scorer needs what the index or the caller lacks
   */
  public static SearchResult search(SearchableIndex index, SearchPlan plan, float[] query, Recomputer recomputer,
      NodeEmbedder embedder, EmbeddingCache<Integer> cache) {
    if (query.length != index.dims()) {
      throw new IllegalArgumentException("query has " + query.length + " dimensions, index has " + index.dims());
    }
    float[] q = query;
    if (index.metric().normalises()) {
      q = query.clone();
      VectorDistances.normalize(q);
    }
    SearchStats.Collector stats = new SearchStats.Collector();
    if (plan.admitsNothing()) {
      return new SearchResult(new int[0], new float[0], stats.stats());
    }
    IntPredicate accept = plan.filter() == null ? null : plan.filter()::get;
    GraphSearcher walker = SEARCHERS.get();
    return switch (plan.scorer()) {
      case STORED, RECOMPUTE -> {
        DistanceSource source = plan.scorer() == SearchPlan.Scorer.STORED ? stored(index, q)
            : new RecomputeDistances(stats.timed(require(recomputer, plan)), q);
        SearchResult r = plan.exactScan() ? ExactSearch.search(source, plan.filter(), plan.k())
            : walker.search(index.graph(), source, plan.k(), plan.ef(), accept,
                plan.scorer() == SearchPlan.Scorer.RECOMPUTE ? plan.twoLevel().batchSize() : 0);
        stats.walked(r.stats());
        yield new SearchResult(r.nodes(), r.distances(), stats.stats());
      }
      case PQ -> {
        ApproximateDistances source = new ApproximateDistances(requirePq(index), index.metric()).setQuery(q);
        SearchResult r = walker.search(index.graph(), source, plan.k(),
            Math.max(plan.ef(), plan.twoLevel().approximateBeam()), accept, 0);
        stats.walkedApproximately(r.stats());
        yield new SearchResult(r.nodes(), r.distances(), stats.stats());
      }
      case TWO_LEVEL -> new TwoLevelSearch(index.graph(), requirePq(index), index.hubs(), index.metric())
          .search(walker, q, plan.k(), plan.ef(), accept, stats.timed(require(embedder, plan)), cache,
              plan.twoLevel(), stats);
    };
  }

  private static DistanceSource stored(SearchableIndex index, float[] query) {
    if (!index.hasVectors()) {
      throw new IllegalStateException("this index stores no vectors (it was built for recomputation); "
          + "search it with recompute on");
    }
    return new StoredVectorDistances(index.vectors(), index.metric()).setQuery(query);
  }

  private static PqCodes requirePq(SearchableIndex index) {
    if (index.pq() == null) {
      throw new IllegalStateException("this index has no PQ codes; rebuild it with PQ for a two-level or "
          + "compressed search");
    }
    return index.pq();
  }

  private static <T> T require(T recomputeSide, SearchPlan plan) {
    if (recomputeSide == null) {
      throw new IllegalStateException("a " + plan.scorer() + " search needs a recomputer");
    }
    return recomputeSide;
  }
}
