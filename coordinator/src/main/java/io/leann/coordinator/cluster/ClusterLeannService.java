package io.leann.coordinator.cluster;

import io.leann.coordinator.cluster.catalog.Catalog;
import io.leann.coordinator.cluster.catalog.Jobs;
import io.leann.coordinator.cluster.placement.ClusterPlacement;
import io.leann.coordinator.cluster.search.ClusterSearch;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.observability.NodeMetrics;
import io.leann.coordinator.observability.SearchMetrics;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ClusterView;
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
import io.leann.shard.actor.EmbedDirectory;
import io.leann.shard.filter.MetadataFilter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The {@link LeannService} of a coordinator node: indexes live as Cluster Sharding entities
 * ({@link io.leann.shard.actor.ShardActor}, one per index shard) on the shard nodes, embeddings come
 * from the embed nodes, and the registry of indexes and the job table are replicated to every node.
 *
 * <p>This class wires the parts together and checks requests; each part lives in its own place:
 * search (scatter-gather over the shards, fusion) in {@link ClusterSearch}, the index catalog and
 * the job table in {@link Catalog} and {@link Jobs}, shard placement in {@link ClusterPlacement},
 * and ingest jobs in {@link Ingest}. {@link #addDocuments} returns as soon as the job is queued.
 *
 * <p>Thread-safe; every method returns without blocking and completes exceptionally with an
 * {@link ApiException} for client errors.
 */
public final class ClusterLeannService implements LeannService {
  /** Cluster role of the nodes that serve the API. */
  public static final String ROLE = "coordinator";

  private static final String INDEX_REGISTRY = "leann-indexes";
  private static final String JOB_TABLE = "leann-jobs";
  private static final String REPLICATION = "leann-replication";
  /** How soon a coordinator drops the metric series of an index another coordinator deleted. */
  private static final Duration METRICS_PRUNE_INTERVAL = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ClusterSettings settings;
  private final Catalog catalog;
  private final Jobs jobs;
  private final ClusterPlacement placement;
  private final PoolEmbedder embedder;
  private final ClusterSearch search;
  private final Ingest ingest;
  private final Executor blocking;
  private final SearchMetrics metrics;

  private ClusterLeannService(ActorSystem<?> system, ClusterSettings settings, IndexRegistry disk,
      Map<String, String> env, ActorRef<EmbedDirectory.Command> directory) {
    this.system = system;
    this.settings = settings;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    this.catalog = new Catalog(ReplicatedMap.start(system, INDEX_REGISTRY, settings.writeTimeout()),
        ReplicatedMap.start(system, REPLICATION, settings.writeTimeout()), disk, env, blocking);
    this.jobs = new Jobs(ReplicatedMap.start(system, JOB_TABLE, settings.writeTimeout()), settings.jobRetention());
    this.embedder = new PoolEmbedder(system, directory, settings.adminTimeout(), settings.localEmbedFallback(),
        env, blocking);
    this.metrics = new SearchMetrics(NodeMetrics.get(system).registry());
    this.search = new ClusterSearch(system, settings, catalog, embedder, blocking, metrics);
    this.placement = new ClusterPlacement(system, settings, catalog);
    this.ingest = new Ingest(system, settings, disk, embedder, catalog.registry(), jobs.table(), placement.keeper(),
        placement::copies, system.dispatchers().lookup(DispatcherSelector.fromConfig(settings.ingestDispatcher())), blocking);
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
          service.search.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    CompletableFuture.runAsync(() -> {
      List<IndexEntry> committed = service.catalog.registerIndexesOnDisk();
      // Replayed jobs look their index up in the registry.
      service.ingest.recover();
      // Every shard loads and warms now rather than on its first search; searches that arrive
      // meanwhile wait at the shard for the load already under way.
      committed.forEach(e -> service.ingest.preload(e.name(), e.generation(), e.shards()));
    }, service.blocking);
    // The coordinator that deletes an index drops its series at once; the others drop them here.
    system.scheduler().scheduleWithFixedDelay(METRICS_PRUNE_INTERVAL, METRICS_PRUNE_INTERVAL,
        () -> service.metrics.retain(service.catalog.registry().snapshot().keySet()), system.executionContext());
    return service;
  }

  @Override
  public CompletionStage<SearchResponse> search(String index, SearchRequest request) {
    return search.search(index, request);
  }

  @Override
  public CompletionStage<List<IndexInfo>> indexes() {
    return catalog.indexes();
  }

  @Override
  public CompletionStage<IndexInfo> index(String name) {
    return catalog.index(name);
  }

  /**
   * Creates an empty index, or returns the existing one (also one on disk that the registry does not
   * know yet) when the fields {@code settings} sets agree with it; 409 when they do not.
   */
  @Override
  public CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings) {
    return catalog.createIndex(name, settings);
  }

  @Override
  public CompletionStage<JobStatus> addDocuments(String name, List<DocumentIn> documents) {
    try {
      catalog.entry(name);
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
    jobs.expire();
    return ingest.accept(name, List.copyOf(documents)).thenApply(JobEntry::toStatus);
  }

  @Override
  public CompletionStage<JobStatus> deleteDocuments(String name, Map<String, Object> metadataFilters) {
    Map<String, Object> filter;
    try {
      catalog.entry(name);
      filter = new DeleteRequest(metadataFilters).validated().metadataFilters();
      // Parsed here for the 400; the job parses it again from its log record.
      MetadataFilter.ofRequest(filter);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    jobs.expire();
    return ingest.acceptDelete(name, filter).thenApply(JobEntry::toStatus);
  }

  @Override
  public CompletionStage<JobStatus> job(String id) {
    return jobs.job(id);
  }

  @Override
  public CompletionStage<Void> deleteIndex(String name) {
    return catalog.deleteIndex(name).thenCompose((IndexEntry entry) -> {
      search.forget(name);
      return placement.stopReplicas(name, 0);
    }).thenApply(done -> null);
  }

  @Override
  public CompletionStage<List<NodeInfo>> nodes() {
    return CompletableFuture.completedFuture(placement.members());
  }

  @Override
  public CompletionStage<List<ShardPlacement>> shards() {
    return placement.shards();
  }

  @Override
  public CompletionStage<ShardPlacement> moveShard(String index, int shard, int replica, String node) {
    return placement.moveShard(index, shard, replica, node);
  }

  @Override
  public CompletionStage<List<ShardPlacement>> setReplicas(String index, Integer replicas) {
    return placement.setReplicas(index, replicas);
  }

  @Override
  public CompletionStage<ClusterView> cluster() {
    return placement.cluster();
  }

  @Override
  public CompletionStage<List<ShardPlacement>> rebalance(String index) {
    return placement.rebalance(index);
  }

  @Override
  public CompletionStage<String> health() {
    Cluster cluster = Cluster.get(system);
    long members = StreamSupport.stream(cluster.state().getMembers().spliterator(), false).count();
    return CompletableFuture.completedFuture("ok: " + cluster.selfMember().address() + " is "
        + cluster.selfMember().status().toString().toLowerCase(Locale.ROOT) + ", " + members
        + " members, " + catalog.registry().snapshot().size() + " indexes");
  }
}
