package io.leann.coordinator.cluster;

import io.leann.coordinator.build.BuildSettings;
import io.leann.coordinator.build.EmbeddingSpool;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.IngestChange;
import io.leann.coordinator.build.IngestLog;
import io.leann.coordinator.build.Manifest;
import io.leann.coordinator.build.PassageEmbedder;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.cluster.catalog.IndexEntries;
import io.leann.coordinator.cluster.placement.PlacementKeeper;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.JobEntry;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds documents to (or deletes passages from) an index through the cluster, as one job: the build
 * pipeline's ingest ({@link IndexBuilder#ingest}) with the embed pool as its embedder and the shard
 * entities that will serve the shards as its graph builders, then the registry names the new
 * generation.
 *
 * <p>Atomicity: everything of the new version goes into a fresh generation directory; the meta
 * file is the commit point, and the registry names the new generation only after it. Until shard
 * actors see the new generation (the next search names it) they keep serving the old one, which
 * {@link IndexDirectory} keeps while they hold it. A failed job leaves the index as it was.
 *
 * <p>Concurrency: jobs of one index run one after another on this coordinator, and the writer lock
 * of {@link IndexDirectory} keeps other writers (a CLI build, another coordinator) out while one
 * runs; a job builds on whatever generation is committed when it takes the lock.
 * Jobs run on the ingest dispatcher and block there; progress goes to the replicated job table.
 */
final class Ingest {
  /** Asks of the placement keeper before a job gives up on placing its shards. */
  private static final int PLACEMENT_ATTEMPTS = 6;

  private static final Logger log = LoggerFactory.getLogger(Ingest.class);
  /** How often progress within a stage is written to the job table at most. */
  private static final long PROGRESS_INTERVAL_NANOS = 250_000_000L;

  private final ActorSystem<?> system;
  private final ClusterSettings settings;
  private final IndexRegistry disk;
  private final PoolEmbedder embedder;
  private final ReplicatedMap<IndexEntry> indexes;
  private final ReplicatedMap<JobEntry> jobs;
  private final ActorRef<PlacementKeeper.Command> keeper;
  private final Executor executor;
  /** Where the write-ahead log is appended to, apart from the jobs' threads so a 202 never waits for a job. */
  private final Executor blocking;
  /** The replicas per shard an index runs now (placement's answer), all of which are preloaded. */
  private final ToIntFunction<String> copies;
  private final Map<String, CompletableFuture<Void>> queues = new ConcurrentHashMap<>();

  Ingest(ActorSystem<?> system, ClusterSettings settings, IndexRegistry disk, PoolEmbedder embedder,
      ReplicatedMap<IndexEntry> indexes, ReplicatedMap<JobEntry> jobs,
      ActorRef<PlacementKeeper.Command> keeper, ToIntFunction<String> copies, Executor executor, Executor blocking) {
    this.system = system;
    this.settings = settings;
    this.disk = disk;
    this.embedder = embedder;
    this.indexes = indexes;
    this.jobs = jobs;
    this.keeper = keeper;
    this.copies = copies;
    this.executor = executor;
    this.blocking = blocking;
  }

  /**
   * Accepts a job adding {@code documents} to {@code index}: appends it to the index's write-ahead
   * log (fsynced), records it in the job table and queues it. Completes once the documents are on
   * disk; from then on they are indexed even if this coordinator dies (the next start replays them).
   */
  CompletionStage<JobEntry> accept(String index, List<DocumentIn> documents) {
    return accept(index, documents.size(), (log, id, now) -> log.appendDocuments(id, now, documents));
  }

  /** Accepts a job deleting the passages whose metadata passes {@code filter} (request shape), as {@link #accept}. */
  CompletionStage<JobEntry> acceptDelete(String index, Map<String, Object> filter) {
    return accept(index, 0, (log, id, now) -> log.appendDelete(id, now, filter));
  }

  private interface Append {
    IngestLog.Job to(IngestLog log, String id, long now) throws IOException;
  }

  private CompletionStage<JobEntry> accept(String index, long documents, Append append) {
    return CompletableFuture.supplyAsync(() -> {
      // Appended and queued as one step: jobs run in the order they were accepted.
      synchronized (queues) {
        try {
          IngestLog.Job logged = append.to(IngestLog.of(disk.layout(index).dir()), UUID.randomUUID().toString(),
              System.currentTimeMillis());
          JobEntry job = JobEntry.queued(logged.job(), index, documents, logged.created());
          enqueue(job, logged);
          return job;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }, blocking).thenCompose(job -> jobs.update(job.id(), known -> known == null ? job : null)
        // Answered whether or not the job table took it in time: the documents are on disk.
        .handle((done, failure) -> job));
  }

  /**
   * Lists the jobs the write-ahead logs of the indexes under the root hold: ended ones as they
   * ended (unless the job table knows them), the others queued again, since the coordinator that
   * accepted them stopped before their end (one still running them finds them applied and only
   * reports them done).
   */
  void recover() {
    List<Path> dirs;
    try (Stream<Path> list = Files.isDirectory(disk.root()) ? Files.list(disk.root()) : Stream.empty()) {
      dirs = list.filter(IngestLog::exists).sorted().toList();
    } catch (IOException e) {
      log.error("the indexes under {} cannot be listed; the jobs their logs hold wait for the next start: {}",
          disk.root(), e.getMessage());
      return;
    }
    for (Path dir : dirs) {
      String name = dir.getFileName().toString();
      try {
        IngestLog wal = IngestLog.of(dir);
        for (IngestLog.End end : wal.ended()) {
          jobs.update(end.job(), known -> known != null ? null : new JobEntry(end.job(), name, end.state(), "publish",
              end.passages() == null ? 0 : end.passages(), end.passages() == null ? 0 : end.passages(), end.error(),
              end.created(), end.documents(), end.added(), end.removed()));
        }
        for (IngestLog.Job pending : wal.pending()) {
          log.info("job {}: replaying the job accepted for index '{}' before a coordinator restart", pending.job(), name);
          JobEntry job = JobEntry.queued(pending.job(), name, pending.documents().size(), pending.created());
          // Queued now, in the log's order; shown as queued unless the job already reported.
          synchronized (queues) {
            enqueue(job, pending);
          }
          jobs.update(job.id(), known -> known == null ? job : null);
        }
      } catch (IOException | RuntimeException e) {
        log.error("the ingest log of index '{}' cannot be read; the jobs it holds wait for the next start: {}",
            name, e.getMessage());
      }
    }
  }

  /** Queues {@code job}; it starts when the jobs queued before it for the same index have ended. */
  private void enqueue(JobEntry job, IngestLog.Job logged) {
    queues.compute(job.index(), (index, queue) -> (queue == null ? CompletableFuture.<Void>completedFuture(null)
        : queue).thenRunAsync(() -> run(job, logged), executor));
  }

  private void run(JobEntry job, IngestLog.Job logged) {
    String name = job.index();
    Progress progress = new Progress(job);
    IndexLayout layout = disk.layout(name);
    try {
      MetadataFilter removed = logged.deleteFilter() == null ? null : MetadataFilter.ofRequest(logged.deleteFilter());
      IngestChange change = new IngestChange(logged.job(), logged.documents(), removed);
      progress.stage("chunk", change.added().size());
      Files.createDirectories(layout.dir());
      IndexEntry before;
      IndexEntry published;
      try (IndexDirectory.Writer writer = IndexDirectory.of(layout.dir()).lock(true)) {
        // Read under the lock: a build that held it may just have committed (a CLI build on the
        // same directory); the new job builds on that generation, and the registry follows it.
        before = fromDisk(layout, indexes.get(name));
        if (before == null) {
          throw new IllegalStateException("index '" + name + "' was deleted before the job started");
        }
        if (Files.isRegularFile(layout.meta())
            && Manifest.ingestedJobs(layout.dir(), IndexMeta.read(layout.meta())).contains(logged.job())) {
          // Committed by a coordinator that stopped before it logged the end, or one running it now.
          end(layout, progress.current.done(before.passages(), null, null), logged);
          indexes.put(name, before).toCompletableFuture().join();
          log.info("job {}: index '{}' already holds its change", job.id(), name);
          return;
        }
        indexes.update(name, e -> e == null ? null : before.withStatus(IndexEntry.BUILDING, null))
            .toCompletableFuture().join();
        published = build(before, layout, writer, change, progress);
      }
      if (published == null) {
        indexes.put(name, before).toCompletableFuture().join();
        end(layout, progress.current.done(before.passages(), 0L, 0L), logged);
        log.info("job {} matched no passage of index '{}': nothing to change", job.id(), name);
        return;
      }
      // The registry names the new generation once its shards serve it warm.
      preload(name, published.generation(), published.shards());
      indexes.put(name, published).toCompletableFuture().join();
      end(layout, progress.current.done(published.passages(), progress.added, progress.removed), logged);
      log.info("job {} published generation {} of index '{}' ({} passages)", job.id(),
          published.generation(), name, published.passages());
    } catch (Exception e) {
      String why = describe(e);
      if (stopping()) {
        // Failed because this node is going away: the job stays in the log for the next start.
        log.info("job {} on index '{}' stopped with its coordinator ({}); the next start runs it", job.id(), name, why);
        return;
      }
      log.warn("job {} on index '{}' failed: {}", job.id(), name, why);
      indexes.update(name, current -> current == null ? null
          : current.withStatus(current.generation() == null ? IndexEntry.FAILED : IndexEntry.READY, why));
      end(layout, progress.current.fail(why), logged);
    }
  }

  /** Whether this node is shutting down or terminated. */
  private boolean stopping() {
    return CoordinatedShutdown.get(system).getShutdownReason().isPresent()
        || system.getWhenTerminated().toCompletableFuture().isDone();
  }

  /** Logs the end of a job, then shows it in the job table. */
  private void end(IndexLayout layout, JobEntry ended, IngestLog.Job logged) {
    try {
      IngestLog.of(layout.dir()).end(new IngestLog.End(logged.seq(), ended.id(), ended.createdMillis(), ended.documents(),
          ended.state(), ended.error(), JobEntry.DONE.equals(ended.state()) ? ended.done() : null,
          ended.passagesAdded(), ended.passagesRemoved()));
    } catch (IOException | RuntimeException e) {
      // The next start replays the job, finds its change committed (or runs it again) and ends it.
      log.warn("job {}: its end cannot be logged in {}: {}", ended.id(), layout.dir(), e.getMessage());
    }
    jobs.put(ended.id(), ended).toCompletableFuture().join();
  }

  /**
   * Writes, builds and commits the next generation through the build pipeline, with the embed pool
   * as its embedder and the shard nodes as its graph builders.
   *
   * @return the entry that describes it, or null when the change changes nothing (a deletion that
   *     matched no passage), and no generation was written
   */
  private IndexEntry build(IndexEntry entry, IndexLayout layout, IndexDirectory.Writer writer, IngestChange change,
      Progress progress) throws IOException {
    BuildSettings created = new BuildSettings(entry.embeddingMode(), entry.model(), entry.embeddingOptions(),
        ChunkingOptions.defaults(), new GraphBuild(entry.metric(), entry.graphDegree(),
            settings.efConstruction(), settings.graphThreads(), entry.compact(), entry.recompute(), null, 0),
        entry.complexity(), IndexEntries.requestedShards(layout, entry.shards()), IndexEntries.textAnalyzer(layout), true);
    IndexBuilder.Ingested done = new IndexBuilder(poolEmbedder(entry), this::buildOnShardNodes, progress)
        .ingest(writer, layout, change, created, settings.graphThreads(), settings.embedBatch());
    if (done == null) {
      return null;
    }
    progress.added = done.added();
    progress.removed = done.removed();
    return IndexEntries.fromMeta(entry.name(), done.meta());
  }

  /**
   * {@code known}, or the entry the committed meta file describes when a writer elsewhere (a CLI
   * build) committed a generation the registry does not name yet.
   */
  private static IndexEntry fromDisk(IndexLayout layout, IndexEntry known) throws IOException {
    if (known == null || !Files.isRegularFile(layout.meta())) {
      return known;
    }
    IndexEntry found = IndexEntries.fromMeta(layout.name(), IndexMeta.read(layout.meta()));
    return found.generation().equals(known.generation()) ? known : found;
  }

  /** The embed pool, embedding as {@code entry}'s texts were, several requests at a time. */
  private PassageEmbedder poolEmbedder(IndexEntry entry) {
    return new PassageEmbedder() {
      @Override
      public String modelId() {
        return entry.model();
      }

      @Override
      public int dimensions() {
        return entry.dimensions();
      }

      @Override
      public int parallelism() {
        return settings.embedParallelism();
      }

      @Override
      public CompletionStage<float[][]> embed(List<String> texts) {
        return embedder.embed(entry, texts, settings.ingestEmbedTimeout());
      }
    };
  }

  /**
   * Has every shard of {@code index} loaded (generation {@code generation}, or the committed one
   * when null) and warmed by the entity that serves it; waits for all of them. A shard that fails
   * is logged, not fatal: its searches report it.
   */
  void preload(String index, String generation, int shards) {
    try {
      ensurePlaced(index, shards);
    } catch (RuntimeException e) {
      log.warn("index '{}': its shards could not be placed for preloading: {}", index, describe(e));
      return;
    }
    ClusterSharding sharding = ClusterSharding.get(system);
    List<CompletableFuture<Void>> loads = new ArrayList<>();
    int replicas = copies.applyAsInt(index);
    for (int k = 0; k < shards; k++) {
      for (int r = 0; r < replicas; r++) {
        String entity = IndexShards.entityId(index, k, r);
        loads.add(sharding.entityRefFor(IndexShards.TYPE_KEY, entity)
            .<StatusReply<Done>>ask(replyTo -> new ShardActor.Preload(generation, replyTo), settings.graphBuildTimeout())
            .toCompletableFuture()
            .handle((reply, failure) -> {
              if (failure != null || reply.isError()) {
                log.warn("shard {} did not preload: {}", entity,
                    failure != null ? describe(failure) : reply.getError().getMessage());
              }
              return null;
            }));
      }
    }
    CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * Has the placement keeper place every replica of {@code index}'s {@code shards} shards. The keeper
   * is a cluster singleton: right after a coordinator is killed it is still starting on the next
   * node, so an unanswered ask is repeated (up to {@link #PLACEMENT_ATTEMPTS} times) rather than
   * failing a job that the write-ahead log has promised to index.
   */
  private void ensurePlaced(String index, int shards) {
    for (int attempt = 1; ; attempt++) {
      try {
        AskPattern.<PlacementKeeper.Command, Done>askWithStatus(keeper,
                replyTo -> new PlacementKeeper.Ensure(index, shards, replyTo), settings.adminTimeout(),
                system.scheduler())
            .toCompletableFuture().join();
        return;
      } catch (CompletionException e) {
        if (!(e.getCause() instanceof TimeoutException) || attempt >= PLACEMENT_ATTEMPTS || stopping()) {
          throw e;
        }
        log.info("index '{}': the placement keeper did not answer (attempt {} of {}), asking again", index,
            attempt, PLACEMENT_ATTEMPTS);
      }
    }
  }

  /** Has every shard's graph built by the shard entity that will serve it, on its node. */
  private void buildOnShardNodes(IndexLayout layout, GraphBuild recipe, EmbeddingSpool spool,
      List<IndexMeta.Shard> shards, io.leann.coordinator.build.Progress progress) {
    String name = layout.name();
    progress.stage("graph", shards.size());
    ensurePlaced(name, shards.size());
    ClusterSharding sharding = ClusterSharding.get(system);
    List<CompletableFuture<Void>> builds = new ArrayList<>();
    String embeddings = layout.dir().relativize(spool.file()).toString().replace('\\', '/');
    AtomicLong built = new AtomicLong();
    for (IndexMeta.Shard s : shards) {
      builds.add(sharding.entityRefFor(IndexShards.TYPE_KEY, IndexShards.entityId(name, s.id()))
          .<StatusReply<Done>>ask(replyTo -> new ShardActor.BuildGraph(embeddings, s.firstRow(), s.count(),
              spool.dims(), s.graph(), recipe, replyTo), settings.graphBuildTimeout())
          .toCompletableFuture()
          .thenAccept(reply -> {
            if (reply.isError()) {
              throw new CompletionException(reply.getError());
            }
            progress.update(built.incrementAndGet());
          }));
    }
    CompletableFuture.allOf(builds.toArray(CompletableFuture[]::new)).join();
    progress.done(shards.size() + " graphs built on the shard nodes");
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /**
   * The job's progress, written to the job table at stage changes and at most every 250 ms within.
   * The pipeline's stages: chunk, embed, graph, bm25.
   */
  private final class Progress implements io.leann.coordinator.build.Progress {
    private JobEntry current;
    private long lastWrite;
    /** Passages the new generation adds and drops, known once it is committed. */
    private long added;
    private long removed;

    Progress(JobEntry job) {
      this.current = job;
    }

    @Override
    public synchronized void stage(String stage, long total) {
      current = current.progress(stage, 0, total);
      write();
    }

    @Override
    public synchronized void update(long done) {
      current = current.progress(current.stage(), done, current.total());
      if (System.nanoTime() - lastWrite >= PROGRESS_INTERVAL_NANOS || done == current.total()) {
        write();
      }
    }

    @Override
    public synchronized void done(String summary) {
      log.info("job {} ({}): [{}] {}", current.id(), current.index(), current.stage(), summary);
      update(Math.max(current.done(), current.total()));
    }

    @Override
    public void note(String line) {
      log.info("job {} ({}): {}", current.id(), current.index(), line);
    }

    private synchronized void write() {
      lastWrite = System.nanoTime();
      jobs.put(current.id(), current);
    }
  }
}
