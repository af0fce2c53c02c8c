package io.leann.coordinator.cluster.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cluster.ClusterSettings;
import io.leann.coordinator.cluster.PoolEmbedder;
import io.leann.coordinator.cluster.catalog.Catalog;
import io.leann.coordinator.observability.SearchMetrics;
import io.leann.coordinator.search.HybridHits;
import io.leann.protocol.RequestIds;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.Replication;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.PromptTemplates;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.HybridFusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Search through the cluster: the query is embedded by an embed node serving the index's model (or
 * in process when none does and the fallback is on), sent to every shard of the index at once (to
 * one replica of each, chosen by load and answer time, and to another replica when that one fails
 * or is slow: {@link HedgedRead}), and the shards' hits are merged by engine distance and then by row, exactly as the in-process engine
 * merges its shards, so a complete answer equals a local search of the same index. Each shard has a
 * deadline ({@code shard-timeout}, longer in recompute mode); shards none of whose replicas
 * answer by then are listed in {@code missing_shards} with {@code partial: true}, and when none answers the search fails with
 * 503. Hybrid search ({@code vector_weight}) fuses the dense list with BM25 scored here, over the
 * index-wide keyword index ({@link TextIndexes}).
 *
 * <p>Observability: each search is timed by index and mode ({@link SearchMetrics}) and the shards'
 * work counters are summed there; the request id of the calling thread ({@link RequestIds}) goes
 * with the shard searches and embed requests, so shard and embed nodes log under it.
 *
 * <p>Thread-safe; {@link #search} returns without blocking and completes exceptionally with an
 * {@link ApiException} for client errors.
 */
public final class ClusterSearch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterSearch.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ClusterSettings settings;
  private final Catalog catalog;
  private final PoolEmbedder embedder;
  private final ClusterSharding sharding;
  private final TextIndexes texts;
  private final Executor blocking;
  private final SearchMetrics metrics;
  private final RecomputeDeadlines deadlines;
  private final ActorSystem<?> system;
  private final ReplicaSelector selector;
  private final ReplicaLocations locations;

  /**
   * @param embedder embeds queries
   * @param blocking where BM25 scoring runs
   * @param metrics this node's search metrics
   */
  public ClusterSearch(ActorSystem<?> system, ClusterSettings settings, Catalog catalog, PoolEmbedder embedder,
      Executor blocking, SearchMetrics metrics) {
    this.settings = settings;
    this.catalog = catalog;
    this.embedder = embedder;
    this.sharding = ClusterSharding.get(system);
    this.texts = new TextIndexes(catalog.disk());
    this.blocking = blocking;
    this.metrics = metrics;
    this.deadlines = new RecomputeDeadlines(settings.recomputeShardTimeout(), settings.recomputeShardTimeoutMax(),
        settings.recomputePassageCost());
    this.system = system;
    this.selector = new ReplicaSelector(settings.hedgeDelayMin(), settings.hedgeDelayMax(),
        settings.replicaSuspectFor(), settings.replicaProbeAfter(), System::nanoTime);
    this.locations = new ReplicaLocations(system, settings.replicaLocationsRefresh());
  }

  /** Drops what this node keeps for a deleted index: its BM25 side, its metric series, its replicas' figures. */
  public void forget(String index) {
    texts.evict(index);
    metrics.forget(index);
    selector.forget(index);
  }

  public CompletionStage<SearchResponse> search(String index, SearchRequest request) {
    long start = System.nanoTime();
    try {
      if (request == null) {
        throw ApiException.badRequest("body", "is required");
      }
      SearchRequest r = request.validated();
      IndexEntry entry = catalog.entry(index);
      MetadataFilter filter = MetadataFilter.ofRequest(r.metadataFilters());
      if (entry.generation() == null) {
        return CompletableFuture.completedFuture(new SearchResponse(List.of(), false, List.of(),
            timing(start, start, System.nanoTime())));
      }
      int k = r.topKOrDefault();
      int ef = r.complexity() != null ? r.complexity() : entry.complexity();
      HybridFusion.Spec fusion = HybridHits.fusion(r);
      boolean hybrid = fusion != null;
      // Hybrid fuses a deeper dense list with BM25, as the in-process engine does.
      int depth = hybrid ? HybridFusion.depth(k) : k;
      int beam = hybrid ? Math.max(ef, depth) : ef;
      boolean recompute = r.recompute() != null ? r.recompute() : entry.recompute();
      // Read here, on the caller's thread: the stages below complete on other threads.
      String requestId = RequestIds.current();
      String templated = PromptTemplates.of(entry.embeddingOptions()).query(r.query());
      CompletionStage<SearchResponse> answer = embedder.embed(entry, List.of(templated), settings.embedTimeout())
          .thenCompose(vectors -> {
            float[] query = vectors[0];
            long embedded = System.nanoTime();
            return scatter(entry, query, depth, beam, r.recompute(), r.metadataFilters(),
                TwoLevelOptions.of(r.recomputeBudget(), r.pruneRatio(), r.batchSize()), requestId)
                .thenCompose(gathered -> {
                  List<ShardHit> dense = gathered.hits();
                  CompletionStage<List<SearchResponse.Hit>> results = hybrid
                      ? CompletableFuture.supplyAsync(() -> fuse(entry, r.query(), filter, dense, k, fusion),
                          blocking)
                      : CompletableFuture.completedFuture(dense.subList(0, Math.min(k, dense.size())).stream()
                          .map(h -> new SearchResponse.Hit(h.id(), h.score(), h.text(), h.metadataMap()))
                          .toList());
                  return results.thenApply(hits -> new SearchResponse(hits, !gathered.missing().isEmpty(),
                      gathered.missing(), timing(start, embedded, System.nanoTime()), gathered.stats()));
                });
          });
      return answer.whenComplete((response, failure) -> metrics.searched(index, recompute,
          failure != null ? "error" : response.partial() ? "partial" : "complete",
          Duration.ofNanos(System.nanoTime() - start)));
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The replicas of shard {@code shard} in the order a search asks them: those on live nodes
   * ({@link ReplicaLocations}) by the selector's choice, then those placed on a node that is not
   * (it may come back), asked only when all of the first have failed or are slow. A replica with no
   * location is not asked: sharding would start it on the asking node, next to its twin; only when
   * no location is known yet (a coordinator just started) are all asked, in replica order.
   */
  private List<String> replicasToAsk(String index, int shard, int copies) {
    List<String> all = new ArrayList<>(copies);
    for (int r = 0; r < copies; r++) {
      all.add(IndexShards.entityId(index, shard, r));
    }
    List<String> ordered = new ArrayList<>(selector.order(locations.servable(all)));
    ordered.addAll(selector.order(locations.placedElsewhere(all)));
    return ordered.isEmpty() ? all : ordered;
  }

  /**
   * The best hits of the shards that answered ({@link ShardHit#merge}), the shards that did not, and
   * the answering shards' search costs summed.
   */
  private record Gathered(List<ShardHit> hits, List<Integer> missing, Map<String, Long> stats) {}

  private CompletionStage<Gathered> scatter(IndexEntry entry, float[] query, int k, int ef, Boolean recompute,
      Map<String, Object> filterSpec, TwoLevelOptions twoLevel, String requestId) {
    JsonNode filters = filterSpec == null ? null : JSON.valueToTree(filterSpec);
    boolean recomputing = recompute != null ? recompute : entry.recompute();
    Duration timeout = recomputing ? deadlines.forSearch(entry, ef) : settings.shardTimeout();
    List<CompletableFuture<ShardActor.SearchReply>> replies = new ArrayList<>(entry.shards());
    int copies = Replication.effective(catalog.replication(entry.name()), locations.upShardNodes());
    for (int shard = 0; shard < entry.shards(); shard++) {
      replies.add(HedgedRead.start(shard, replicasToAsk(entry.name(), shard, copies),
          (replica, left) -> sharding.entityRefFor(IndexShards.TYPE_KEY, replica)
              .<ShardActor.SearchReply>ask(replyTo -> new ShardActor.Search(query, k, ef, recompute, filters,
                  entry.generation(), twoLevel, requestId, replyTo), left),
          selector, timeout, system.scheduler(), system.executionContext()));
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<List<ShardHit>> perShard = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      Map<String, Long> stats = new LinkedHashMap<>();
      for (CompletableFuture<ShardActor.SearchReply> reply : replies) {
        switch (reply.join()) {
          case ShardActor.Hits h -> {
            perShard.add(h.hits());
            metrics.work(entry.name(), h.recompute(), h.stats());
            if (h.recompute()) {
              deadlines.observed(entry.name(), h.stats());
            }
            if (h.stats() != null) {
              h.stats().forEach((key, value) -> stats.merge(key, value, Long::sum));
            }
          }
          case ShardActor.Failed f -> {
            if (f.badRequest()) {
              throw new ApiException(400, "bad_request", f.reason());
            }
            if (f.corrupt()) {
              // Not a partial answer: the shard's files are wrong, and waiting will not fix them.
              throw new IndexCorruptException(f.reason());
            }
            missing.add(f.shard());
            reasons.add("shard " + f.shard() + ": " + f.reason());
          }
        }
      }
      if (missing.size() == entry.shards()) {
        throw ApiException.unavailable("no shard of index '" + entry.name() + "' answered: "
            + String.join("; ", reasons));
      }
      if (!missing.isEmpty()) {
        RequestIds.run(requestId, () -> log.warn("search of '{}' is partial: {}", entry.name(), reasons));
      }
      return new Gathered(ShardHit.merge(perShard, k), missing, stats);
    });
  }

  /** The dense hits fused with BM25 over the whole index ({@link HybridHits}). */
  private List<SearchResponse.Hit> fuse(IndexEntry entry, String query, MetadataFilter filter,
      List<ShardHit> dense, int k, HybridFusion.Spec fusion) {
    TextIndexes.Text text;
    try {
      text = texts.acquire(entry.name(), entry.generation());
    } catch (IndexFormatException e) {
      throw new CompletionException(IndexCorruptException.of(entry.name(), catalog.disk().layout(entry.name()).dir(), e));
    } catch (IOException e) {
      throw new CompletionException(ApiException.unavailable("BM25 side of index '" + entry.name()
          + "' unavailable: " + e.getMessage()));
    }
    try {
      BitSet matches = filter.isEmpty() ? null : text.columns().matching(filter);
      Bm25Hits sparse = text.bm25().search(query, HybridFusion.depth(k), matches == null ? null : matches::get);
      return HybridHits.fuse(fusion, dense, sparse, text.passages(), k).stream()
          .map(h -> new SearchResponse.Hit(h.id(), h.score(), h.text(), h.metadata()))
          .toList();
    } catch (IndexFormatException e) {
      throw IndexCorruptException.of(entry.name(), catalog.disk().layout(entry.name()).dir(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      text.release();
    }
  }

  private static Map<String, Double> timing(long start, long embedded, long end) {
    Map<String, Double> timing = new LinkedHashMap<>();
    timing.put("embed", (embedded - start) / 1e6);
    timing.put("search", (end - embedded) / 1e6);
    timing.put("total", (end - start) / 1e6);
    return timing;
  }

  @Override
  public void close() {
    texts.close();
  }
}
