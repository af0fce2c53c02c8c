package io.leann.shard.search;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One shard of an opened index generation as every host searches it, the CLI and the standalone
 * server ({@code LocalIndex}) as much as a cluster's shard actor ({@code LoadedShard}): its graph, the
 * passage row of its node 0, its cross-query cache of recomputed embeddings, and the index's
 * passage store. A search plans ({@link SearchPlan#choose}), runs the plan ({@link ShardSearch}) and
 * returns passages; the hits of several shards are merged by {@link ShardHit#merge}.
 *
 * <p>Thread-safe: the graph, the store and the cache support concurrent use. The owner closes the
 * graph and the store; this class owns neither.
 */
public final class OpenShard {
  /** Bytes of recomputed embeddings each open shard keeps across queries (LRU). */
  private static final long CACHE_BYTES = 32L << 20;

  private final SearchableIndex graph;
  private final long firstRow;
  private final PassageStore passages;
  /** Recomputed embeddings kept across searches: a two-level search's free exact distances. */
  private final EmbeddingCache<Integer> cache = new EmbeddingCache<>(CACHE_BYTES);

  /**
   * @param firstRow passage row of graph node 0
   */
  public OpenShard(SearchableIndex graph, long firstRow, PassageStore passages) {
    this.graph = graph;
    this.firstRow = firstRow;
    this.passages = passages;
  }

  /** The hits of one search, closest first, and the work the engine did for them. */
  public record Hits(List<ShardHit> hits, SearchStats stats) {}

  /**
   * The {@code k} nearest passages of this shard to {@code query}, closest first.
   *
   * @param indexMatches rows of the whole index a metadata filter admits, or null for no filter
   * @param recomputer recomputes distances or embeddings; null to search without recompute
   * @param twoLevel two-level knobs, or null for the defaults
   * @throws PassageStoreException if a hit's passage fails its checks
   */
  public <R extends Recomputer & NodeEmbedder> Hits search(float[] query, int k, int ef, BitSet indexMatches,
      R recomputer, TwoLevelOptions twoLevel) throws PassageStoreException {
    int from = (int) firstRow;
    BitSet matches = indexMatches == null ? null : indexMatches.get(from, from + graph.size());
    SearchPlan plan = SearchPlan.choose(graph, recomputer != null, k, ef, matches, twoLevel);
    SearchResult r = ShardSearch.search(graph, plan, query, recomputer, recomputer, cache);
    Metric metric = graph.metric();
    List<ShardHit> hits = new ArrayList<>(r.size());
    for (int i = 0; i < r.size(); i++) {
      long row = firstRow + r.nodes()[i];
      Passage p = passages.get(row);
      float distance = r.distances()[i];
      hits.add(ShardHit.of(p.id(), row, distance, metric.toScore(distance), p.text(), p.metadata()));
    }
    return new Hits(hits, r.stats());
  }

  public SearchableIndex graph() {
    return graph;
  }

  /** Passage row of graph node 0. */
  public long firstRow() {
    return firstRow;
  }
}
