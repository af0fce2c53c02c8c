package io.leann.coordinator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.observability.NodeMetrics;
import io.leann.coordinator.observability.SearchMetrics;
import io.leann.protocol.Metric;
import io.leann.protocol.RequestIds;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.protocol.api.DeleteRequest;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.NodeInfo;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.api.ShardPlacement;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.JobEntry;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.passages.Passage;
import io.leann.shard.actor.EmbedDirectory;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.HybridFusion;
import io.leann.shard.text.Scored;
import io.leann.shard.vector.VectorDistances;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.DurationConverters;

/**
 * The {@link LeannService} of a coordinator node: indexes live as Cluster Sharding entities
 * ({@link ShardActor}, one per index shard) on the shard nodes, embeddings come from the embed
 * nodes, and the registry of indexes and the job table are replicated to every node.
 *
 * <p>Search: the query is embedded by an embed node serving the index's model (or in process when
 * none does and the fallback is on), sent to every shard of the index at once, and the shards'
 * hits are merged by engine distance and then by row, exactly as the in-process engine merges its
 * shards, so a complete answer equals a local search of the same index. Each shard has a deadline
 * ({@code shard-timeout}, longer in recompute mode); shards that miss it or fail are listed in
 * {@code missing_shards} with {@code partial: true}, and when none answers the search fails with
 * 503. Hybrid search ({@code vector_weight}) fuses the dense list with BM25 scored here, over the
 * index-wide BM25 file ({@link TextIndexes}).
 *
 * <p>Placement: desired locations are kept by the external shard allocation client; the
 * {@link PlacementKeeper} singleton fills them in for new shards and shards whose node is gone,
 * {@link #moveShard} and {@link #rebalance} set them on request, and sharding moves the entities
 * (a handoff: the entity stops on the old node and loads again on the new one).
 *
 * <p>Ingest runs as jobs ({@link Ingest}); {@link #addDocuments} returns as soon as the job is
 * queued. The registry is eventually consistent across coordinators: a change made through one
 * coordinator is visible at once on it and on the others once replicated (a majority within the
 * write timeout, every node by gossip).
 *
 * <p>Observability: each search is timed by index and mode ({@link SearchMetrics}) and the shards'
 * work counters are summed there; the request id of the calling thread ({@link RequestIds}) goes
 * with the shard searches and embed requests, so shard and embed nodes log under it.
 *
 * <p>Thread-safe; every method returns without blocking and completes exceptionally with an
 * {@link ApiException} for client errors.
 */
public final class ClusterLeannService implements LeannService {
  /** Cluster role of the nodes that serve the API. */
  public static final String ROLE = "coordinator";

  private static final Logger log = LoggerFactory.getLogger(ClusterLeannService.class);
  private static final String INDEX_REGISTRY = "leann-indexes";
  private static final String JOB_TABLE = "leann-jobs";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How soon a coordinator drops the metric series of an index another coordinator deleted. */
  private static final Duration METRICS_PRUNE_INTERVAL = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ClusterSettings settings;
  private final IndexRegistry disk;
  private final Map<String, String> env;
  private final ReplicatedMap<IndexEntry> indexes;
  private final ReplicatedMap<JobEntry> jobs;
  private final ExternalShardAllocationClient allocation;
  private final ClusterSharding sharding;
  private final PoolEmbedder embedder;
  private final TextIndexes texts;
  private final CommitFollower commits;
  private final Ingest ingest;
  private final Executor blocking;
  private final SearchMetrics metrics;
  private final RecomputeDeadlines deadlines;

  private ClusterLeannService(ActorSystem<?> system, ClusterSettings settings, IndexRegistry disk,
      Map<String, String> env, ActorRef<EmbedDirectory.Command> directory) {
    this.system = system;
    this.settings = settings;
    this.disk = disk;
    this.env = env;
    this.indexes = ReplicatedMap.start(system, INDEX_REGISTRY, settings.writeTimeout());
    this.jobs = ReplicatedMap.start(system, JOB_TABLE, settings.writeTimeout());
    this.allocation = ExternalShardAllocation.get(system).getClient(IndexShards.TYPE_KEY.name());
    this.sharding = ClusterSharding.get(system);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    this.embedder = new PoolEmbedder(system, directory, settings.adminTimeout(), settings.localEmbedFallback(),
        env, blocking);
    this.texts = new TextIndexes(disk);
    this.commits = new CommitFollower(disk, indexes);
    this.metrics = new SearchMetrics(NodeMetrics.get(system).registry());
    this.deadlines = new RecomputeDeadlines(settings.recomputeShardTimeout(), settings.recomputeShardTimeoutMax(),
        settings.recomputePassageCost());
    ActorRef<PlacementKeeper.Command> keeper = ClusterSingleton.get(system).init(SingletonActor.of(
            Behaviors.supervise(PlacementKeeper.create(indexes, allocation, settings.placementInterval()))
                .onFailure(SupervisorStrategy.restart()), "placement-keeper")
        .withSettings(ClusterSingletonSettings.create(system).withRole(ROLE)));
    this.ingest = new Ingest(system, settings, disk, embedder, indexes, jobs, keeper,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.ingestDispatcher())), blocking);
  }

  /**
   * Starts the coordinator role on {@code system}: the replicated registry and job table, the
   * placement keeper singleton, and a scan of {@code LEANN_INDEX_DIR} that registers the indexes
   * found there. The shard region (or proxy) must already be initialised.
   *
   * @param env environment: {@code LEANN_INDEX_DIR} and the embedding providers' keys and hosts
   * @param directory this node's embed worker directory
   */
  public static ClusterLeannService start(ActorSystem<?> system, Map<String, String> env,
      ActorRef<EmbedDirectory.Command> directory) {
    ClusterSettings settings = ClusterSettings.fromConfig(system.settings().config());
    ClusterLeannService service = new ClusterLeannService(system, settings,
        IndexRegistry.fromEnvironment(env), env, directory);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "leann-coordinator-close", () -> {
          service.embedder.close();
          service.texts.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    CompletableFuture.runAsync(service::registerIndexesOnDisk, service.blocking);
    // The coordinator that deletes an index drops its series at once; the others drop them here.
    system.scheduler().scheduleWithFixedDelay(METRICS_PRUNE_INTERVAL, METRICS_PRUNE_INTERVAL,
        () -> service.metrics.retain(service.indexes.snapshot().keySet()), system.executionContext());
    return service;
  }

  /**
   * Registers every index under {@code LEANN_INDEX_DIR} (unless the registry has the same version),
   * replays the jobs their logs hold, then has every shard loaded and warmed.
   */
  private void registerIndexesOnDisk() {
    try {
      List<IndexEntry> found = IndexEntries.scan(disk, env);
      List<CompletableFuture<?>> updates = new ArrayList<>();
      for (IndexEntry entry : found) {
        updates.add(indexes.update(entry.name(), known -> known == null
            || (entry.generation() != null && !entry.generation().equals(known.generation())) ? entry : null)
            .toCompletableFuture());
      }
      // Replayed jobs look their index up in the registry.
      CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
      ingest.recover();
      // Every shard loads and warms now rather than on its first search; searches that arrive
      // meanwhile wait at the shard for the load already under way.
      for (IndexEntry entry : found) {
        if (entry.generation() != null) {
          ingest.preload(entry.name(), entry.generation(), entry.shards());
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("could not scan {} for indexes: {}", disk.root(), e.getMessage());
    }
  }

  @Override
  public CompletionStage<SearchResponse> search(String index, SearchRequest request) {
    long start = System.nanoTime();
    try {
      if (request == null) {
        throw ApiException.badRequest("body", "is required");
      }
      SearchRequest r = request.validated();
      IndexEntry entry = entry(index);
      MetadataFilter filter = MetadataFilter.ofRequest(r.metadataFilters());
      if (entry.generation() == null) {
        return CompletableFuture.completedFuture(new SearchResponse(List.of(), false, List.of(),
            timing(start, start, System.nanoTime())));
      }
      int k = r.topKOrDefault();
      int ef = r.complexity() != null ? r.complexity() : entry.complexity();
      boolean hybrid = r.vectorWeight() != null;
      // Hybrid fuses a deeper dense list with BM25, as the in-process engine does.
      int depth = hybrid ? Math.max(2 * k, 10) : k;
      int beam = hybrid ? Math.max(ef, depth) : ef;
      Metric metric = Metric.parse(entry.metric());
      boolean recompute = r.recompute() != null ? r.recompute() : entry.recompute();
      // Read here, on the caller's thread: the stages below complete on other threads.
      String requestId = RequestIds.current();
      String templated = PromptTemplates.of(entry.embeddingOptions()).query(r.query());
      CompletionStage<SearchResponse> answer = embedder.embed(entry, List.of(templated), settings.embedTimeout())
          .thenCompose(vectors -> {
            float[] query = vectors[0];
            if (metric.normalises()) {
              VectorDistances.normalize(query);
            }
            long embedded = System.nanoTime();
            return scatter(entry, query, depth, beam, r.recompute(), r.metadataFilters(),
                TwoLevelOptions.of(r.recomputeBudget(), r.pruneRatio(), r.batchSize()), requestId)
                .thenCompose(gathered -> {
                  List<ShardHit> dense = gathered.hits().subList(0, Math.min(depth, gathered.hits().size()));
                  CompletionStage<List<SearchResponse.Hit>> results = hybrid
                      ? CompletableFuture.supplyAsync(() -> fuse(entry, r.query(), metric, filter, dense, k,
                          r.vectorWeight()), blocking)
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
   * The merged hits of the shards that answered, closest first, the shards that did not, and the
   * answering shards' search costs summed.
   */
  private record Gathered(List<ShardHit> hits, List<Integer> missing, Map<String, Long> stats) {}

  private CompletionStage<Gathered> scatter(IndexEntry entry, float[] query, int k, int ef, Boolean recompute,
      Map<String, Object> filterSpec, TwoLevelOptions twoLevel, String requestId) {
    JsonNode filters = filterSpec == null ? null : JSON.valueToTree(filterSpec);
    boolean recomputing = recompute != null ? recompute : entry.recompute();
    Duration timeout = recomputing ? deadlines.forSearch(entry, ef) : settings.shardTimeout();
    List<CompletableFuture<ShardActor.SearchReply>> replies = new ArrayList<>(entry.shards());
    for (int k0 = 0; k0 < entry.shards(); k0++) {
      int shard = k0;
      replies.add(sharding.entityRefFor(IndexShards.TYPE_KEY, IndexShards.entityId(entry.name(), shard))
          .<ShardActor.SearchReply>ask(replyTo -> new ShardActor.Search(query, k, ef, recompute, filters,
              entry.generation(), twoLevel, requestId, replyTo), timeout)
          .toCompletableFuture()
          .exceptionally(failure -> new ShardActor.Failed(shard, "no answer within " + timeout.toMillis()
              + " ms", false)));
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      List<ShardHit> hits = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      List<String> reasons = new ArrayList<>();
      Map<String, Long> stats = new LinkedHashMap<>();
      for (CompletableFuture<ShardActor.SearchReply> reply : replies) {
        switch (reply.join()) {
          case ShardActor.Hits h -> {
            hits.addAll(h.hits());
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
      hits.sort(Comparator.comparingDouble(ShardHit::distance).thenComparingLong(ShardHit::row));
      return new Gathered(hits, missing, stats);
    });
  }

  /** LEANN's weighted min-max fusion of the dense hits with BM25 over the whole index. */
  private List<SearchResponse.Hit> fuse(IndexEntry entry, String query, Metric metric, MetadataFilter filter,
      List<ShardHit> dense, int k, double vectorWeight) {
    TextIndexes.Text text;
    try {
      text = texts.acquire(entry.name(), entry.generation());
    } catch (IndexFormatException e) {
      throw new CompletionException(IndexCorruptException.of(entry.name(), disk.layout(entry.name()).dir(), e));
    } catch (IOException e) {
      throw new CompletionException(ApiException.unavailable("BM25 side of index '" + entry.name()
          + "' unavailable: " + e.getMessage()));
    }
    try {
      List<Scored> denseScored = new ArrayList<>();
      Map<String, ShardHit> byId = new HashMap<>();
      for (ShardHit h : dense) {
        // L2 scores are distances; negate them so that higher is better on both sides.
        denseScored.add(new Scored(h.id(), metric == Metric.L2 ? -h.score() : h.score()));
        byId.put(h.id(), h);
      }
      BitSet matches = filter.isEmpty() ? null : text.columns().matching(filter);
      Bm25Hits sparse = text.bm25().search(query, Math.max(2 * k, 10), matches == null ? null : matches::get);
      List<Scored> sparseScored = new ArrayList<>();
      Map<String, Long> rowOf = new HashMap<>();
      for (int i = 0; i < sparse.size(); i++) {
        String id = text.passages().id(sparse.rows()[i]);
        sparseScored.add(new Scored(id, sparse.scores()[i]));
        rowOf.put(id, (long) sparse.rows()[i]);
      }
      List<SearchResponse.Hit> fused = new ArrayList<>();
      for (Scored s : HybridFusion.fuse(denseScored, sparseScored, vectorWeight, k)) {
        ShardHit h = byId.get(s.id());
        if (h != null) {
          fused.add(new SearchResponse.Hit(h.id(), (float) s.score(), h.text(), h.metadataMap()));
        } else {
          Passage p = text.passages().get(rowOf.get(s.id()));
          fused.add(new SearchResponse.Hit(p.id(), (float) s.score(), p.text(), p.metadata()));
        }
      }
      return fused;
    } catch (IndexFormatException e) {
      throw IndexCorruptException.of(entry.name(), disk.layout(entry.name()).dir(), e);
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
  public CompletionStage<List<IndexInfo>> indexes() {
    return CompletableFuture.completedFuture(indexes.snapshot().values().stream()
        .sorted(Comparator.comparing(IndexEntry::name))
        .map(IndexEntry::toInfo)
        .toList());
  }

  @Override
  public CompletionStage<IndexInfo> index(String name) {
    try {
      return CompletableFuture.completedFuture(entry(name).toInfo());
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Creates an empty index, or returns the existing one (also one on disk that the registry does not
   * know yet) when the fields {@code settings} sets agree with it; 409 when they do not.
   */
  @Override
  public CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings) {
    IndexEntry requested;
    try {
      checkName(name);
      requested = IndexEntries.fromSettings(name, settings, env);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.supplyAsync(() -> {
      IndexEntry existing = indexes.get(name);
      IndexLayout layout = disk.layout(name);
      int existingShards;
      try {
        if (existing == null) {
          existing = IndexEntries.read(layout, env);
        }
        if (existing == null) {
          IndexEntries.writeSettings(layout, requested);
        }
        existingShards = existing == null ? 0 : IndexEntries.requestedShards(layout, existing.shards());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (existing != null && !IndexEntries.compatible(existing, existingShards, settings, requested)) {
        throw new ApiException(409, "conflict", "index '" + name + "' exists with other settings (model "
            + existing.model() + ", metric " + existing.metric() + ", " + existingShards + " shards, degree "
            + existing.graphDegree() + ", compact " + existing.compact() + ", recompute " + existing.recompute()
            + ")");
      }
      return existing != null ? existing : requested;
    }, blocking).thenCompose(entry -> indexes.update(name, known -> known == null ? entry : null)
        .thenApply(done -> indexes.get(name).toInfo()));
  }

  @Override
  public CompletionStage<JobStatus> addDocuments(String name, List<DocumentIn> documents) {
    try {
      entry(name);
      if (documents == null || documents.isEmpty()) {
        throw ApiException.badRequest("documents", "must be a non-empty list of {\"text\", \"metadata\"}");
      }
      if (documents.size() > settings.maxDocuments()) {
        throw new ApiException(413, "too_large", documents.size() + " documents in one request; at most "
            + settings.maxDocuments() + " are accepted, send them in batches");
      }
      for (int i = 0; i < documents.size(); i++) {
        DocumentIn d = documents.get(i);
        if (d == null || d.text() == null || d.text().isBlank()) {
          throw ApiException.badRequest("documents[" + i + "].text", "is required and must not be blank");
        }
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    expireJobs(System.currentTimeMillis());
    return ingest.accept(name, List.copyOf(documents)).thenApply(JobEntry::toStatus);
  }

  @Override
  public CompletionStage<JobStatus> deleteDocuments(String name, Map<String, Object> metadataFilters) {
    Map<String, Object> filter;
    try {
      entry(name);
      filter = new DeleteRequest(metadataFilters).validated().metadataFilters();
      // Parsed here for the 400; the job parses it again from its log record.
      MetadataFilter.ofRequest(filter);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    expireJobs(System.currentTimeMillis());
    return ingest.acceptDelete(name, filter).thenApply(JobEntry::toStatus);
  }

  /** Drops finished jobs older than the retention from the job table. */
  private void expireJobs(long now) {
    jobs.snapshot().values().stream()
        .filter(j -> j.finished() && now - j.createdMillis() > settings.jobRetention().toMillis())
        .forEach(j -> jobs.remove(j.id()));
  }

  @Override
  public CompletionStage<JobStatus> job(String id) {
    JobEntry job = id == null ? null : jobs.get(id);
    return job == null ? CompletableFuture.failedFuture(ApiException.notFound("job", id))
        : CompletableFuture.completedFuture(job.toStatus());
  }

  @Override
  public CompletionStage<Void> deleteIndex(String name) {
    try {
      checkName(name);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    IndexEntry entry = indexes.get(name);
    IndexLayout layout = disk.layout(name);
    if (entry == null && !Files.isDirectory(layout.dir())) {
      return CompletableFuture.failedFuture(ApiException.notFound("index", name));
    }
    return indexes.remove(name).thenAcceptAsync(done -> {
      try {
        // The meta file goes first: from then on the index no longer exists on disk.
        Files.deleteIfExists(layout.meta());
        IndexDirectory.deleteTree(layout.dir());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      texts.evict(name);
      metrics.forget(name);
      int shards = entry == null ? 0 : entry.shards();
      for (int k = 0; k < shards; k++) {
        sharding.entityRefFor(IndexShards.TYPE_KEY, IndexShards.entityId(name, k)).tell(ShardActor.Stop.INSTANCE);
      }
    }, blocking);
  }

  /** The registry's entry of {@code name}, on the generation its meta file commits ({@link CommitFollower}). */
  private IndexEntry entry(String name) {
    IndexEntry entry = name == null ? null : indexes.get(name);
    if (entry == null) {
      throw unknownOrCorrupt(name);
    }
    return commits.follow(entry);
  }

  /**
   * 404 for a name with no index. A directory whose meta file is there but fails its checks was
   * left out of the catalog at the scan; it is a corrupt index, not an absent one, and says so.
   */
  private ApiException unknownOrCorrupt(String name) {
    try {
      IndexLayout layout = disk.layout(name);
      if (Files.isRegularFile(layout.meta())) {
        IndexMeta.read(layout.meta());
      }
    } catch (IndexFormatException e) {
      return IndexCorruptException.of(name, disk.layout(name).dir(), e);
    } catch (IOException | RuntimeException e) {
      // an invalid name or an unreadable directory: nothing there to report
    }
    return ApiException.notFound("index", name);
  }

  private static void checkName(String name) {
    try {
      IndexLayout.checkName(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("name", e.getMessage());
    }
  }

  @Override
  public CompletionStage<List<NodeInfo>> nodes() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    List<NodeInfo> nodes = new ArrayList<>();
    for (Member m : state.getMembers()) {
      List<String> roles = m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
      String status = state.getUnreachable().contains(m) ? "unreachable"
          : m.status().toString().toLowerCase(Locale.ROOT);
      nodes.add(new NodeInfo(m.address().toString(), roles, status));
    }
    return CompletableFuture.completedFuture(nodes);
  }

  @Override
  public CompletionStage<List<ShardPlacement>> shards() {
    List<IndexEntry> published = indexes.snapshot().values().stream()
        .filter(e -> e.generation() != null)
        .sorted(Comparator.comparing(IndexEntry::name))
        .toList();
    List<Address> nodes = upShardNodes();
    return desiredLocations().thenCombine(actualLocations(), (desired, actual) -> {
      List<ShardPlacement> placements = new ArrayList<>();
      for (IndexEntry e : published) {
        placements.addAll(placements(e.name(), e.shards(), desired, actual, nodes));
      }
      return placements;
    });
  }

  @Override
  public CompletionStage<ShardPlacement> moveShard(String index, int shard, String node) {
    Address target;
    try {
      IndexEntry entry = entry(index);
      if (entry.generation() == null || shard < 0 || shard >= entry.shards()) {
        throw ApiException.notFound("shard", IndexShards.entityId(index, shard));
      }
      if (node == null || node.isBlank()) {
        throw ApiException.badRequest("node", "is required: the address of a shard node, e.g. "
            + Cluster.get(system).selfMember().address());
      }
      try {
        target = AddressFromURIString.parse(node.strip());
      } catch (Exception e) {
        // parse throws MalformedURLException, undeclared (it is Scala code).
        throw ApiException.badRequest("node", "is not a node address: " + e.getMessage());
      }
      List<Address> nodes = upShardNodes();
      if (!nodes.contains(target)) {
        throw ApiException.badRequest("node", "'" + node + "' is not an Up node with the shard role; shard nodes: "
            + nodes);
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    String id = IndexShards.entityId(index, shard);
    return allocation.setShardLocation(id, target)
        .thenCompose(done -> actualLocations())
        .thenApply(actual -> new ShardPlacement(index, shard, target.toString(), string(actual.get(id)),
            "pinned by PUT /admin/indexes/" + index + "/shards/" + shard));
  }

  @Override
  public CompletionStage<List<ShardPlacement>> rebalance(String index) {
    IndexEntry entry;
    List<Address> nodes = upShardNodes();
    try {
      entry = entry(index);
      if (nodes.isEmpty()) {
        throw ApiException.unavailable("no shard node is Up");
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (entry.generation() == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    return desiredLocations().thenCompose(desired -> {
      // Other indexes' shards count as load, so ties in the spread go to the less loaded node.
      Map<String, Address> others = new HashMap<>();
      for (IndexEntry e : indexes.snapshot().values()) {
        if (e.generation() != null && !e.name().equals(index)) {
          for (String id : Placement.shardIds(e.name(), e.shards())) {
            Address at = desired.get(id);
            if (at != null && nodes.contains(at)) {
              others.put(id, at);
            }
          }
        }
      }
      Map<String, Address> placed = Placement.spread(index, entry.shards(), desired, others, nodes);
      Map<String, Address> moved = new HashMap<>();
      placed.forEach((id, at) -> {
        if (!at.equals(desired.get(id))) {
          moved.put(id, at);
        }
      });
      CompletionStage<Done> written = moved.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance())
          : allocation.setShardLocations(moved);
      return written
          .thenCompose(done -> actualLocations())
          .thenApply(actual -> placements(index, entry.shards(), placed, actual, nodes));
    });
  }

  @Override
  public CompletionStage<String> health() {
    Cluster cluster = Cluster.get(system);
    long members = StreamSupport.stream(cluster.state().getMembers().spliterator(), false).count();
    return CompletableFuture.completedFuture("ok: " + cluster.selfMember().address() + " is "
        + cluster.selfMember().status().toString().toLowerCase(Locale.ROOT) + ", " + members
        + " members, " + indexes.snapshot().size() + " indexes");
  }

  private static List<ShardPlacement> placements(String index, int shards, Map<String, Address> desired,
      Map<String, Address> actual, List<Address> nodes) {
    List<ShardPlacement> out = new ArrayList<>();
    for (int k = 0; k < shards; k++) {
      String id = IndexShards.entityId(index, k);
      out.add(new ShardPlacement(index, k, string(desired.get(id)), string(actual.get(id)),
          Placement.reason(index, k, desired, nodes)));
    }
    return out;
  }

  private static String string(Address address) {
    return address == null ? null : address.toString();
  }

  private CompletionStage<Map<String, Address>> desiredLocations() {
    return allocation.getShardLocations().thenApply(locations -> {
      Map<String, Address> desired = new HashMap<>();
      locations.getShardLocations().forEach((shard, location) -> desired.put(shard, location.address()));
      return desired;
    });
  }

  /**
   * Where each started shard runs now, from every shard region's statistics. Asks this node's
   * classic region or proxy: the typed {@code sharding.shardState()} answers an empty map on a node
   * that runs only a proxy (a coordinator without the shard role), because it checks
   * {@code ClusterSharding.getShardTypeNames()}, which lists regions but not proxies.
   */
  private CompletionStage<Map<String, Address>> actualLocations() {
    Duration timeout = settings.adminTimeout();
    org.apache.pekko.actor.ActorRef shardRegion = org.apache.pekko.cluster.sharding.ClusterSharding
        .get(system.classicSystem()).shardRegion(IndexShards.TYPE_KEY.name());
    return Patterns.ask(shardRegion, new ShardRegion.GetClusterShardingStats(DurationConverters.toScala(timeout)),
            timeout.plusSeconds(1))
        .thenApply(reply -> {
          ShardRegion.ClusterShardingStats stats = (ShardRegion.ClusterShardingStats) reply;
          Map<String, Address> actual = new HashMap<>();
          stats.getRegions().forEach((address, region) ->
              region.getStats().keySet().forEach(shard -> actual.put(shard, address)));
          return actual;
        });
  }

  private List<Address> upShardNodes() {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status().equals(MemberStatus.up()) && m.hasRole(IndexShards.ROLE))
        .map(Member::address)
        .sorted(Placement.ORDER)
        .toList();
  }
}
