package io.leann.coordinator.local;

import io.leann.coordinator.build.BuildSettings;
import io.leann.coordinator.build.GraphBuilder;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.IngestChange;
import io.leann.coordinator.build.IngestLog;
import io.leann.coordinator.build.Manifest;
import io.leann.coordinator.build.PassageEmbedder;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.search.HybridHits;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.LocalIndex;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.protocol.Metric;
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
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.text.HybridFusion;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeannService} in one process, over the indexes under {@code LEANN_INDEX_DIR}, with the
 * in-process engine: what {@code leann serve} answers without a cluster, and what the HTTP API is
 * tested against.
 *
 * <p><b>Indexes.</b> Every index under the root is served: those built by {@code leann build}
 * (searched, listed, deleted; not written to, since their content is the files they were built
 * from) and those created with {@link #createIndex}, whose settings are recorded in the index
 * directory ({@link ApiIndexFiles}), so they survive a restart. The model of a new index is loaded
 * once at creation, so a wrong mode or model is a 400 then rather than a failed job later.
 *
 * <p><b>Ingest.</b> {@link #addDocuments} and {@link #deleteDocuments} append the job to the
 * index's write-ahead log ({@link IngestLog}, fsynced) before they answer, then a single ingest
 * thread runs the build pipeline's ingest ({@link IndexBuilder#ingest}, the one the cluster runs,
 * embedding and building graphs in this process). The pipeline keeps the indexed passages and
 * their embeddings, and is crash-safe (a new generation is committed by one atomic rename,
 * searches keep the old version until then); one build at a time is all a single machine should
 * run. On start the service replays the jobs the log holds without an end (a restart or a kill
 * right after a 202 loses no document), and lists the ended ones, so jobs survive a restart.
 *
 * <p><b>Metadata.</b> Passages of API documents carry the document's own {@code metadata} (plus
 * {@code chunk_index} and {@code chunk_count} when it takes several chunks), as in the cluster.
 *
 * <p><b>Placement.</b> There is one node, {@code local}, with every role; all shards live on it.
 * Moving shards and rebalancing are refused with 400 {@code not_a_cluster}.
 *
 * <p>Thread-safe. Blocking work (file I/O, model loads, searches) runs on the service's own
 * threads, never on the caller's, so it can sit behind Pekko HTTP directly. Close it to stop the
 * threads (a running job is given a minute to finish; queued ones wait in the logs for the next
 * start) and release the open indexes.
 */
public final class LocalLeannService implements LeannService, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalLeannService.class);
  private static final int KEPT_JOBS = 1000;
  /** Graph insertion threads: all cores. */
  private static final int GRAPH_THREADS = 0;
  private static final int EMBED_BATCH = 64;
  private static final List<String> ROLES = List.of("coordinator", "shard", "embed");
  private static final String NODE = "local";

  private final IndexRegistry registry;
  private final Map<String, String> env;
  private final SearcherCache searchers;
  private final ExecutorService work;
  /** One thread; its queue holds the jobs accepted and not started, which {@link #close} drops (they are in the logs). */
  private final ThreadPoolExecutor ingest;
  /** Guards the existence of indexes (create, delete, add) and {@link #jobs}. */
  private final Object lock = new Object();
  private final LinkedHashMap<String, IngestJob> jobs = new LinkedHashMap<>();
  private final AtomicLong jobSequence = new AtomicLong();

  /**
   * @param env environment: {@code LEANN_INDEX_DIR} (else {@code ~/.leann/indexes}) and the
   *     embedding providers' keys and hosts
   */
  public LocalLeannService(Map<String, String> env) {
    this.env = Map.copyOf(env);
    this.registry = IndexRegistry.fromEnvironment(this.env);
    this.searchers = new SearcherCache(this.env);
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.work = Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("leann-local-", 0).daemon().factory());
    this.ingest = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        Thread.ofPlatform().name("leann-ingest").daemon().factory());
    recover();
  }

  /** The directory the indexes live in. */
  public Path root() {
    return registry.root();
  }

  @Override
  public CompletionStage<SearchResponse> search(String index, SearchRequest request) {
    return async(() -> doSearch(index, request.validated()));
  }

  @Override
  public CompletionStage<List<IndexInfo>> indexes() {
    return async(() -> {
      List<IndexInfo> all = new ArrayList<>();
      for (String name : names()) {
        all.add(info(registry.layout(name)));
      }
      return all;
    });
  }

  @Override
  public CompletionStage<IndexInfo> index(String name) {
    return async(() -> info(existing(name)));
  }

  @Override
  public CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings) {
    return async(() -> {
      IndexLayout layout = layout(name);
      ApiIndexFiles.Settings resolved = resolve(settings);
      synchronized (lock) {
        if (exists(layout)) {
          throw new ApiException(409, "conflict", "index '" + name + "' already exists");
        }
        ApiIndexFiles.writeSettings(layout, resolved);
      }
      LOG.info("created index '{}' in {} with {}", name, layout.dir(), resolved);
      return info(layout);
    });
  }

  @Override
  public CompletionStage<JobStatus> addDocuments(String name, List<DocumentIn> documents) {
    return async(() -> {
      if (documents == null || documents.isEmpty()) {
        throw ApiException.badRequest("documents", "must hold at least one document");
      }
      IndexLayout layout = existing(name);
      IngestJob job;
      synchronized (lock) {
        ApiIndexFiles.Settings settings = apiSettings(layout, "add the documents to its sources and run"
            + " `leann build` again, or create an index with PUT /indexes/{name} to add documents through the API");
        job = queue(layout, settings, IngestLog.of(layout.dir()).appendDocuments(newJobId(), System.currentTimeMillis(),
            documents));
      }
      LOG.info("ingest {}: {} documents queued for index '{}'", job.id(), documents.size(), name);
      return job.status();
    });
  }

  @Override
  public CompletionStage<JobStatus> deleteDocuments(String name, Map<String, Object> metadataFilters) {
    return async(() -> {
      Map<String, Object> spec = new DeleteRequest(metadataFilters).validated().metadataFilters();
      MetadataFilter filter = MetadataFilter.ofRequest(spec);
      IndexLayout layout = existing(name);
      IngestJob job;
      synchronized (lock) {
        ApiIndexFiles.Settings settings = apiSettings(layout,
            "remove the files from its sources and run `leann build` again");
        job = queue(layout, settings, IngestLog.of(layout.dir()).appendDelete(newJobId(), System.currentTimeMillis(),
            spec));
      }
      LOG.info("ingest {}: deleting the documents of index '{}' that match {}", job.id(), name, filter);
      return job.status();
    });
  }

  /** The settings of an index created through the API; for one built from files, a 409 that says what to do. */
  private static ApiIndexFiles.Settings apiSettings(IndexLayout layout, String instead) throws IOException {
    ApiIndexFiles.Settings settings = ApiIndexFiles.readSettings(layout);
    if (settings == null) {
      throw new ApiException(409, "conflict", "index '" + layout.name() + "' was built from files by `leann build`; "
          + instead);
    }
    return settings;
  }

  /** Millisecond time first: batch names, and so passages, sort in arrival order across restarts. */
  private String newJobId() {
    return String.format(Locale.ROOT, "job-%d-%d", System.currentTimeMillis(), jobSequence.incrementAndGet());
  }

  @Override
  public CompletionStage<JobStatus> job(String id) {
    return async(() -> {
      synchronized (lock) {
        IngestJob job = jobs.get(id);
        if (job == null) {
          throw ApiException.notFound("job", id);
        }
        return job.status();
      }
    });
  }

  @Override
  public CompletionStage<Void> deleteIndex(String name) {
    return async(() -> {
      IndexLayout layout = layout(name);
      synchronized (lock) {
        if (!exists(layout)) {
          throw ApiException.notFound("index", name);
        }
        if (jobs.values().stream().anyMatch(j -> j.index().equals(name) && j.active())) {
          throw new ApiException(409, "conflict", "index '" + name + "' has an ingest job queued or running;"
              + " delete it when the job is done");
        }
        searchers.retire(name);
        IndexDirectory.deleteTree(layout.dir());
        jobs.values().removeIf(j -> j.index().equals(name));
      }
      LOG.info("deleted index '{}'", name);
      return null;
    });
  }

  @Override
  public CompletionStage<List<NodeInfo>> nodes() {
    return CompletableFuture.completedFuture(List.of(new NodeInfo(NODE, ROLES, "up")));
  }

  @Override
  public CompletionStage<List<ShardPlacement>> shards() {
    return async(this::placements);
  }

  /** Every shard of every published index, on the one node. */
  private List<ShardPlacement> placements() throws IOException {
    List<ShardPlacement> all = new ArrayList<>();
    for (String name : names()) {
      IndexLayout layout = registry.layout(name);
      if (Files.isRegularFile(layout.meta())) {
        for (IndexMeta.Shard s : IndexMeta.read(layout.meta()).shards()) {
          all.add(new ShardPlacement(name, s.id(), NODE, NODE, "standalone: one node"));
        }
      }
    }
    return all;
  }

  @Override
  public CompletionStage<ShardPlacement> moveShard(String index, int shard, int replica, String node) {
    return async(() -> {
      IndexLayout layout = existing(index);
      int shards = Files.isRegularFile(layout.meta()) ? IndexMeta.read(layout.meta()).shards().size() : 0;
      if (shard < 0 || shard >= shards || replica != 0) {
        throw ApiException.notFound("shard", index + "/" + shard + (replica == 0 ? "" : "/r" + replica));
      }
      throw notACluster(index);
    });
  }

  /** One copy of each shard is all a single process has: 1 is accepted (nothing changes), more is refused. */
  @Override
  public CompletionStage<List<ShardPlacement>> setReplicas(String index, Integer replicas) {
    return async(() -> {
      existing(index);
      if (replicas == null || replicas != 1) {
        throw new ApiException(400, "not_a_cluster", "this server runs standalone, one process without a cluster:"
            + " it keeps one copy of each shard of index '" + index + "' (replicas 1); start shard nodes with"
            + " `leann serve --roles shard --seed ...` for more");
      }
      return placements().stream().filter(p -> p.index().equals(index)).toList();
    });
  }

  @Override
  public CompletionStage<ClusterView> cluster() {
    return async(() -> {
      List<ClusterView.Replica> copies = new ArrayList<>();
      List<ClusterView.IndexReplicas> indexes = new ArrayList<>();
      Map<String, Integer> shardCounts = new LinkedHashMap<>();
      for (ShardPlacement p : placements()) {
        copies.add(new ClusterView.Replica(p.index(), p.shard(), 0, "standalone", null));
        shardCounts.merge(p.index(), 1, Integer::sum);
      }
      shardCounts.forEach((name, shards) -> indexes.add(new ClusterView.IndexReplicas(name, shards, 1, 1)));
      return new ClusterView(List.of(new ClusterView.Node(NODE, ROLES, "up", copies)), indexes, List.of(),
          List.of());
    });
  }

  @Override
  public CompletionStage<List<ShardPlacement>> rebalance(String index) {
    return async(() -> {
      existing(index);
      throw notACluster(index);
    });
  }

  @Override
  public CompletionStage<String> health() {
    return async(() -> {
      long running;
      synchronized (lock) {
        running = jobs.values().stream().filter(IngestJob::active).count();
      }
      return "standalone: " + names().size() + " indexes under " + registry.root() + ", " + running
          + " ingest jobs queued or running";
    });
  }

  @Override
  public void close() {
    // Jobs not started stay in the indexes' logs: the next start runs them.
    int left = ingest.getQueue().size();
    ingest.getQueue().clear();
    ingest.shutdown();
    if (left > 0) {
      LOG.info("{} ingest jobs not started yet are left in their indexes' logs for the next start", left);
    }
    try {
      if (!ingest.awaitTermination(1, TimeUnit.MINUTES)) {
        LOG.warn("an ingest job is still running at shutdown; the next start runs it again unless it commits");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    work.shutdown();
    searchers.close();
  }

  private SearchResponse doSearch(String name, SearchRequest request) throws IOException {
    long start = System.nanoTime();
    IndexLayout layout = existing(name);
    if (!Files.isRegularFile(layout.meta())) {
      // Created, nothing ingested yet: an empty index has no matches.
      return new SearchResponse(List.of(), false, List.of(), Map.of("total", millis(start)));
    }
    try (SearcherCache.Lease lease = acquire(layout)) {
      IndexSearcher searcher = lease.searcher();
      LocalIndex index = searcher.index();
      int k = request.topKOrDefault();
      int ef = Math.max(k, request.complexity() != null ? request.complexity() : recordedComplexity(index.meta()));
      MetadataFilter filter = filter(request.metadataFilters());
      if (Boolean.FALSE.equals(request.recompute()) && !index.searchableWithoutRecompute()) {
        throw ApiException.badRequest("recompute", "cannot be false: " + SearchableIndex.recomputeRequired(name));
      }
      long searchStart = System.nanoTime();
      TwoLevelOptions twoLevel = TwoLevelOptions.of(request.recomputeBudget(), request.pruneRatio(),
          request.batchSize());
      HybridFusion.Spec fusion = HybridHits.fusion(request);
      LocalIndex.DenseHits found = fusion == null
          ? searcher.search(request.query(), k, ef, request.recompute(), filter, twoLevel)
          : searcher.hybrid(request.query(), k, ef, request.recompute(), filter, fusion, twoLevel);
      List<SearchHit> hits = found.hits();
      double searchMs = millis(searchStart);
      List<SearchResponse.Hit> results = new ArrayList<>(hits.size());
      for (SearchHit h : hits) {
        results.add(new SearchResponse.Hit(h.id(), h.score(), h.text(), h.metadata()));
      }
      Map<String, Double> timing = new LinkedHashMap<>();
      timing.put("search", searchMs);
      timing.put("total", millis(start));
      return new SearchResponse(results, false, List.of(), timing, found.stats().toMap());
    }
  }

  /** The searcher of an index; one deleted since it was looked up is a 404, a missing index file is not. */
  private SearcherCache.Lease acquire(IndexLayout layout) throws IOException {
    try {
      return searchers.acquire(layout);
    } catch (NoSuchFileException e) {
      if (Files.isRegularFile(layout.meta())) {
        throw e;
      }
      throw ApiException.notFound("index", layout.name());
    }
  }

  /** The request's filter, or null for none. */
  private static MetadataFilter filter(Map<String, Object> spec) {
    if (spec == null || spec.isEmpty()) {
      return null;
    }
    return MetadataFilter.ofRequest(spec);
  }

  /** Remembers the logged job and queues it on the ingest thread. Call under {@link #lock}. */
  private IngestJob queue(IndexLayout layout, ApiIndexFiles.Settings settings, IngestLog.Job logged) {
    IngestJob job = new IngestJob(logged.job(), layout.name(), logged.documents().size(), logged.seq(),
        logged.created());
    remember(job);
    ingest.execute(() -> runJob(job, layout, settings, logged));
    return job;
  }

  /**
   * Lists the jobs the logs of the API indexes hold: the ended ones as they ended, the others
   * queued again (the process that accepted them stopped before their end).
   */
  private void recover() {
    try {
      for (String name : names()) {
        IndexLayout layout = registry.layout(name);
        ApiIndexFiles.Settings settings = ApiIndexFiles.readSettings(layout);
        if (settings == null || !IngestLog.exists(layout.dir())) {
          continue;
        }
        IngestLog log = IngestLog.of(layout.dir());
        synchronized (lock) {
          for (IngestLog.End end : log.ended()) {
            remember(IngestJob.ended(name, end));
          }
          for (IngestLog.Job pending : log.pending()) {
            LOG.info("ingest {}: replaying the job accepted for index '{}' before the restart", pending.job(), name);
            queue(layout, settings, pending);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("the ingest logs under {} cannot be read; jobs they hold wait for the next start", registry.root(), e);
    }
  }

  /**
   * Runs one logged job through the build pipeline, then logs its end, then shows it: whoever sees
   * the job ended (a caller moving the index directory) finds the log written.
   */
  private void runJob(IngestJob job, IndexLayout layout, ApiIndexFiles.Settings s, IngestLog.Job logged) {
    job.running();
    IngestLog.End end;
    Error fatal = null;
    try {
      end = apply(job, layout, s, logged);
    } catch (Throwable t) {
      LOG.error("ingest {} into index '{}' failed", job.id(), layout.name(), t);
      end = job.end("failed", t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage(), null, null, null);
      fatal = t instanceof Error e ? e : null;
    }
    try {
      IngestLog.of(layout.dir()).end(end);
    } catch (IOException | RuntimeException e) {
      // The job is replayed on the next start, which finds its change committed (or runs it again).
      LOG.warn("ingest {}: its end cannot be logged in {}: {}", job.id(), layout.dir(), e.getMessage());
    }
    job.ended(end);
    if (fatal != null) {
      throw fatal;
    }
  }

  /** Applies a logged job's change to its index; returns its end. */
  private IngestLog.End apply(IngestJob job, IndexLayout layout, ApiIndexFiles.Settings s, IngestLog.Job logged)
      throws IOException {
    MetadataFilter removed = logged.deleteFilter() == null ? null : MetadataFilter.ofRequest(logged.deleteFilter());
    IngestChange change = new IngestChange(logged.job(), logged.documents(), removed);
    try (IndexDirectory.Writer writer = IndexDirectory.of(layout.dir()).lock(true)) {
      IndexMeta meta = Files.isRegularFile(layout.meta()) ? IndexMeta.read(layout.meta()) : null;
      if (meta != null && Manifest.ingestedJobs(layout.dir(), meta).contains(logged.job())) {
        // Committed before the process that ran it stopped, which left no end record.
        LOG.info("ingest {}: index '{}' already holds its change", job.id(), layout.name());
        return job.end("done", null, meta.totalPassages(), null, null);
      }
      // The committed meta's embedding settings win over the creation's (max_seq_length of an import).
      try (Embedder embedder = meta != null
          ? EmbedderFactory.create(meta.embeddingMode(), meta.embeddingModel(), env, meta.embeddingOptions())
          : EmbedderFactory.create(s.embeddingMode(), s.model(), env)) {
        IndexBuilder.Ingested done = new IndexBuilder(PassageEmbedder.local(embedder), GraphBuilder.IN_PROCESS,
            job.progress()).ingest(writer, layout, change, created(s, embedder), GRAPH_THREADS, EMBED_BATCH);
        // The next search would notice the new meta file anyway; retiring now frees the old mapping sooner.
        searchers.retire(layout.name());
        long passages = done != null ? done.meta().totalPassages() : meta == null ? 0 : meta.totalPassages();
        LOG.info("ingest {}: index '{}' now has {} passages", job.id(), layout.name(), passages);
        return job.end("done", null, passages, done == null ? 0L : done.added(), done == null ? 0L : done.removed());
      }
    }
  }

  /** The settings of an API index's first build. */
  private static BuildSettings created(ApiIndexFiles.Settings s, Embedder embedder) {
    return new BuildSettings(s.embeddingMode(), embedder.modelId(), null, ChunkingOptions.defaults(),
        new GraphBuild(s.metric(), s.graphDegree(), BuildSettings.DEFAULT_EF_CONSTRUCTION, GRAPH_THREADS,
            s.compact(), s.recompute(), null, 0),
        BuildSettings.DEFAULT_COMPLEXITY, s.shards(), s.analyzer(), true);
  }

  /** Settings with defaults filled in and checked; loads the model once to learn its dimensions. */
  private ApiIndexFiles.Settings resolve(IndexSettings s) {
    IndexSettings in = s != null ? s : new IndexSettings(null, null, null, null, null, null, null);
    String mode = in.embeddingMode() == null || in.embeddingMode().isBlank() ? "sentence-transformers"
        : in.embeddingMode().strip();
    String metric;
    try {
      metric = Metric.parse(in.metric() == null ? "cosine" : in.metric()).leannName();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("metric", "must be cosine, mips or l2, got '" + in.metric() + "'");
    }
    int shards = in.shards() == null ? 1 : in.shards();
    if (shards < 1 || shards > 64) {
      throw ApiException.badRequest("shards", "must be in [1, 64]");
    }
    int degree = in.graphDegree() == null ? 32 : in.graphDegree();
    if (degree < 2 || degree > 128) {
      throw ApiException.badRequest("graph_degree", "must be in [2, 128]");
    }
    TextAnalyzer analyzer = TextAnalyzer.ofSettings(in);
    try (Embedder embedder = EmbedderFactory.create(mode, in.model(), env)) {
      return new ApiIndexFiles.Settings(mode, embedder.modelId(), metric, shards,
          in.compact() == null || in.compact(), in.recompute() == null || in.recompute(), degree,
          embedder.dimensions(), analyzer.id());
    } catch (EmbeddingException e) {
      throw new ApiException(400, "bad_request", "cannot embed with embedding_mode '" + mode + "'"
          + (in.model() == null ? "" : " and model '" + in.model() + "'") + ": " + e.getMessage());
    }
  }

  private IndexInfo info(IndexLayout layout) {
    String name = layout.name();
    boolean active;
    boolean lastFailed;
    synchronized (lock) {
      active = jobs.values().stream().anyMatch(j -> j.index().equals(name) && j.active());
      IngestJob last = null;
      for (IngestJob j : jobs.values()) {
        last = j.index().equals(name) ? j : last;
      }
      lastFailed = last != null && last.failed();
    }
    try {
      if (Files.isRegularFile(layout.meta())) {
        IndexMeta meta = IndexMeta.read(layout.meta());
        return new IndexInfo(name, meta.totalPassages(), meta.shards() == null ? 0 : meta.shards().size(),
            meta.embeddingModel(), meta.dimensions(), meta.metric().leannName(), meta.compact(), meta.pruned(),
            active ? "building" : "ready");
      }
      ApiIndexFiles.Settings s = ApiIndexFiles.readSettings(layout);
      return new IndexInfo(name, 0, s.shards(), s.model(), s.dimensions(), s.metric(), s.compact(), s.recompute(),
          active ? "building" : lastFailed ? "failed" : "empty");
    } catch (IOException | RuntimeException e) {
      // One unreadable index must not hide the others from a listing; the log says why.
      LOG.warn("index '{}' cannot be read", name, e);
      return new IndexInfo(name, 0, 0, null, 0, null, false, false, "failed");
    }
  }

  /** Names of built indexes and of created ones not built yet, sorted. */
  private List<String> names() throws IOException {
    Set<String> names = new TreeSet<>(registry.names());
    if (Files.isDirectory(registry.root())) {
      try (Stream<Path> dirs = Files.list(registry.root())) {
        dirs.filter(d -> ApiIndexFiles.isApiIndex(new IndexLayout(d)))
            .forEach(d -> names.add(d.getFileName().toString()));
      }
    }
    return List.copyOf(names);
  }

  private IndexLayout layout(String name) {
    try {
      return registry.layout(name);
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, "bad_request", e.getMessage());
    }
  }

  private IndexLayout existing(String name) {
    IndexLayout layout = layout(name);
    if (!exists(layout)) {
      throw ApiException.notFound("index", name);
    }
    return layout;
  }

  private static boolean exists(IndexLayout layout) {
    return Files.isRegularFile(layout.meta()) || ApiIndexFiles.isApiIndex(layout);
  }

  private static int recordedComplexity(IndexMeta meta) {
    Object c = meta.backendKwargs() == null ? null : meta.backendKwargs().get("complexity");
    return c instanceof Number n && n.intValue() > 0 ? n.intValue() : BuildSettings.DEFAULT_COMPLEXITY;
  }

  private static ApiException notACluster(String index) {
    return new ApiException(400, "not_a_cluster", "this server runs standalone, one process without a cluster:"
        + " every shard of index '" + index + "' is on node 'local' and cannot be moved; start nodes with"
        + " `leann serve --roles ... --seed ...` to place shards");
  }

  /** Keeps the job, dropping the oldest finished ones beyond {@value #KEPT_JOBS}. Call under {@link #lock}. */
  private void remember(IngestJob job) {
    jobs.put(job.id(), job);
    Iterator<IngestJob> it = jobs.values().iterator();
    while (jobs.size() > KEPT_JOBS && it.hasNext()) {
      if (!it.next().active()) {
        it.remove();
      }
    }
  }

  private static double millis(long since) {
    return (System.nanoTime() - since) / 1e6;
  }

  /** Work that may block, on the service's threads; checked I/O failures become 500s. */
  private <T> CompletionStage<T> async(IoCallable<T> body) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return body.call();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, work);
  }

  @FunctionalInterface
  private interface IoCallable<T> {
    T call() throws IOException;
  }
}
