package io.leann.coordinator.cluster;

import io.leann.coordinator.build.EmbeddingSpool;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.LongList;
import io.leann.coordinator.build.Manifest;
import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.Chunker;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.ingest.Document;
import io.leann.coordinator.ingest.FileType;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.JobEntry;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.text.Bm25Index;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds documents to an index through the cluster, as one job: chunk the documents into passages
 * after the index's existing ones, embed the passages through the embed pool, have each shard
 * node build its shard's graph, then publish the new generation by replacing the meta file.
 *
 * <p>Atomicity: everything of the new version goes into a fresh generation directory; the meta
 * file is the commit point, exactly as in the CLI build ({@link IndexLayout}), and the registry
 * names the new generation only after it. Until shard actors see the new generation (the next
 * search names it) they keep serving the old one, which {@link IndexDirectory} keeps while they
 * hold it. A failed job deletes its generation and leaves the index as it was. The new generation's
 * manifest carries the file sources forward and names the API documents' rows, so a later
 * {@code leann build} keeps them ({@link Manifest#afterIngest}).
 *
 * <p>Deletion ({@link #submitDelete}) is the same job with nothing added: the passages whose
 * metadata passes the filter are left out of the new generation, the kept ones keep their ids and
 * embeddings (copied, not embedded again), and every shard's graph is built anew. A filter that
 * matches nothing writes no generation; one that matches everything is refused.
 *
 * <p>Passages: existing passages keep their ids and rows; new passages get their row number as
 * id, as the CLI build does. A document longer than one chunk becomes several passages with the
 * document's metadata plus {@code chunk_index} and {@code chunk_count}. Embeddings of existing
 * passages are reused from the previous generation's {@code embeddings.f32} when it is there,
 * complete and passes its checksum, and embedded again otherwise.
 *
 * <p>Concurrency: jobs of one index run one after another on this coordinator, and the writer lock
 * of {@link IndexDirectory} keeps other writers (a CLI build, another coordinator) out while one
 * runs; a job builds on whatever generation is committed when it takes the lock.
 * Jobs run on the ingest dispatcher and block there; progress goes to the replicated job table.
 */
final class Ingest {
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
  private final Chunker chunker = new Chunker(ChunkingOptions.defaults());
  private final Map<String, CompletableFuture<Void>> queues = new ConcurrentHashMap<>();

  Ingest(ActorSystem<?> system, ClusterSettings settings, IndexRegistry disk, PoolEmbedder embedder,
      ReplicatedMap<IndexEntry> indexes, ReplicatedMap<JobEntry> jobs,
      ActorRef<PlacementKeeper.Command> keeper, Executor executor) {
    this.system = system;
    this.settings = settings;
    this.disk = disk;
    this.embedder = embedder;
    this.indexes = indexes;
    this.jobs = jobs;
    this.keeper = keeper;
    this.executor = executor;
  }

  /**
   * What one job changes: passages whose metadata passes {@code removed} are dropped (none when it
   * is null), then {@code added} documents are appended.
   */
  private record Change(List<DocumentIn> added, MetadataFilter removed) {}

  /** Queues {@code job}; it starts when the jobs queued before it for the same index have ended. */
  void submit(JobEntry job, List<DocumentIn> documents) {
    enqueue(job, new Change(documents, null));
  }

  /** Queues a job that deletes the passages whose metadata passes {@code filter}. */
  void submitDelete(JobEntry job, MetadataFilter filter) {
    enqueue(job, new Change(List.of(), filter));
  }

  private void enqueue(JobEntry job, Change change) {
    queues.compute(job.index(), (index, queue) -> (queue == null ? CompletableFuture.<Void>completedFuture(null)
        : queue).thenRunAsync(() -> run(job, change), executor));
  }

  private void run(JobEntry job, Change change) {
    String name = job.index();
    Progress progress = new Progress(job);
    try {
      progress.stage("chunk", change.added().size());
      IndexLayout layout = disk.layout(name);
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
        indexes.update(name, e -> e == null ? null : before.withStatus(IndexEntry.BUILDING, null))
            .toCompletableFuture().join();
        published = build(before, layout, writer, change, progress);
      }
      if (published == null) {
        indexes.put(name, before).toCompletableFuture().join();
        jobs.put(job.id(), progress.current.done(before.passages(), 0, 0)).toCompletableFuture().join();
        log.info("job {} matched no passage of index '{}': nothing to change", job.id(), name);
        return;
      }
      indexes.put(name, published).toCompletableFuture().join();
      jobs.put(job.id(), progress.current.done(published.passages(), progress.added, progress.removed))
          .toCompletableFuture().join();
      log.info("job {} published generation {} of index '{}' ({} passages)", job.id(),
          published.generation(), name, published.passages());
    } catch (Exception e) {
      String why = describe(e);
      log.warn("job {} on index '{}' failed: {}", job.id(), name, why);
      indexes.update(name, current -> current == null ? null
          : current.withStatus(current.generation() == null ? IndexEntry.FAILED : IndexEntry.READY, why));
      jobs.put(job.id(), progress.current.fail(why));
    }
  }

  /**
   * Writes, builds and commits the next generation.
   *
   * @return the entry that describes it, or null when the change changes nothing (a deletion that
   *     matched no passage), and no generation was written
   */
  private IndexEntry build(IndexEntry entry, IndexLayout layout, IndexDirectory.Writer writer, Change change,
      Progress progress) throws IOException {
    IndexMeta old = Files.isRegularFile(layout.meta()) ? IndexMeta.read(layout.meta()) : null;
    Path oldGenDir = old == null ? null : layout.resolve(old.passageSources().get(0).path()).getParent();
    Path genDir = writer.stage();
    int gen = writer.generation();
    try (PassageStore oldPassages = old == null ? null : PassageStore.open(
        layout.resolve(old.passageSources().get(0).path()),
        layout.resolve(old.passageSources().get(0).indexPath()))) {
      long oldRows = oldPassages == null ? 0 : oldPassages.size();
      LongList kept = writePassages(layout, genDir, oldPassages, change, progress);
      if (change.added().isEmpty() && kept.size() == oldRows) {
        return null;
      }
      if (change.added().isEmpty() && kept.size() == 0) {
        throw new IllegalStateException("the filter matches all " + oldRows + " passages of index '"
            + layout.name() + "'; delete the index instead (DELETE /indexes/" + layout.name() + ")");
      }
      try (PassageStore passages = PassageStore.open(genDir.resolve(IndexLayout.PASSAGES),
          genDir.resolve(IndexLayout.PASSAGE_INDEX))) {
        long n = passages.size();
        progress.added = n - kept.size();
        progress.removed = oldRows - kept.size();
        Path cache = genDir.resolve(IndexLayout.EMBEDDING_CACHE);
        int dims = embed(entry, passages, kept, oldRows, old, oldGenDir, cache, progress);
        int shardCount = (int) Math.max(1, Math.min(IndexEntries.requestedShards(layout, entry.shards()), n));
        GraphBuild recipe = recipe(entry, old);
        List<IndexMeta.Shard> shards = buildGraphs(recipe, layout.name(), gen, n, dims, shardCount, progress);
        progress.stage("publish", 1);
        for (IndexMeta.Shard s : shards) {
          IndexBuilder.writeIds(layout.resolve(s.ids()), passages, s.firstRow(), s.firstRow() + s.count());
        }
        Bm25Index.build(passages).save(genDir.resolve(IndexLayout.BM25));
        Manifest.afterIngest(previousManifest(oldGenDir), oldRows, kept, n - kept.size())
            .write(genDir.resolve(IndexLayout.MANIFEST));
        IndexMeta meta = meta(entry, old, recipe, gen, dims, n, shards);
        writer.commit(meta);
        return new IndexEntry(entry.name(), IndexEntry.READY, shards.size(), entry.model(),
            entry.embeddingMode(), dims, entry.metric(), entry.compact(), entry.recompute(),
            entry.graphDegree(), entry.complexity(), n, meta.passageSources().get(0).path(), null,
            meta.embeddingOptions(), meta.maxSeqLength());
      }
    }
  }

  /** The manifest of the previous generation, or null when it has none (or none can be read). */
  private static Manifest previousManifest(Path oldGenDir) {
    if (oldGenDir == null || !Files.isRegularFile(oldGenDir.resolve(IndexLayout.MANIFEST))) {
      return null;
    }
    try {
      return Manifest.read(oldGenDir.resolve(IndexLayout.MANIFEST));
    } catch (IOException | RuntimeException e) {
      log.warn("the manifest in {} cannot be read, its rows count as API documents: {}", oldGenDir, e.getMessage());
      return null;
    }
  }

  /**
   * {@code known}, or the entry the committed meta file describes when a writer elsewhere (a CLI
   * build) committed a generation the registry does not name yet.
   */
  private IndexEntry fromDisk(IndexLayout layout, IndexEntry known) throws IOException {
    if (known == null || !Files.isRegularFile(layout.meta())) {
      return known;
    }
    IndexEntry found = IndexEntries.fromMeta(layout.name(), IndexMeta.read(layout.meta()));
    return found.generation().equals(known.generation()) ? known : found;
  }

  /**
   * Writes the new generation's passages: the previous ones the change keeps, with their ids, then
   * the added documents' chunks.
   *
   * @return the previous rows kept, in order; new row {@code i < size} was previous row {@code get(i)}
   */
  private LongList writePassages(IndexLayout layout, Path genDir, PassageStore oldPassages, Change change,
      Progress progress) throws IOException {
    List<DocumentIn> documents = change.added();
    LongList kept = new LongList();
    try (PassageWriter writer = PassageWriter.create(genDir.resolve(IndexLayout.PASSAGES),
        genDir.resolve(IndexLayout.PASSAGE_INDEX), genDir.resolve(IndexLayout.PASSAGE_IDS))) {
      if (oldPassages != null) {
        for (long r = 0; r < oldPassages.size(); r++) {
          Passage p = oldPassages.get(r);
          if (change.removed() == null || !change.removed().test(p)) {
            writer.append(p);
            kept.add(r);
          }
        }
      }
      for (int i = 0; i < documents.size(); i++) {
        DocumentIn doc = documents.get(i);
        List<Chunk> chunks = chunker.chunk(document(layout, i, doc.text())).chunks();
        for (int c = 0; c < chunks.size(); c++) {
          Map<String, Object> metadata = new LinkedHashMap<>(doc.metadata() == null ? Map.of() : doc.metadata());
          if (chunks.size() > 1) {
            metadata.put("chunk_index", c);
            metadata.put("chunk_count", chunks.size());
          }
          String id = String.valueOf(writer.size());
          if (oldPassages != null && oldPassages.rowOf(id).isPresent()) {
            // The index was built with ids that are not row numbers; keep new ids apart from them.
            id = progress.current.id() + "-" + writer.size();
          }
          writer.append(new Passage(id, chunks.get(c).text(), metadata));
        }
        progress.update(i + 1);
      }
      writer.commit();
    }
    return kept;
  }

  /** An API document as the chunker sees it: a plain text file of no particular origin. */
  private static Document document(IndexLayout layout, int i, String text) {
    String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
    String fileName = "document-" + i + ".txt";
    return new Document(layout.dir().resolve(fileName), fileName, normalised, FileType.of(fileName),
        Instant.now(), normalised.getBytes(StandardCharsets.UTF_8).length, "", "", List.of());
  }

  /**
   * Writes the embeddings of every passage to {@code cache}, in row order: the kept rows of the
   * previous generation from its cache when it is complete, the rest through the embed pool,
   * several requests at a time.
   *
   * @param kept the previous rows the new generation starts with ({@link #writePassages})
   * @param oldRows how many rows the previous generation has
   * @return the dimensions of the embeddings
   */
  private int embed(IndexEntry entry, PassageStore passages, LongList kept, long oldRows, IndexMeta old,
      Path oldGenDir, Path cache, Progress progress) throws IOException {
    long n = passages.size();
    try (Arena arena = Arena.ofShared()) {
      MemorySegment reuse = old == null ? null : previousEmbeddings(old, oldGenDir, oldRows, arena);
      long from = reuse == null ? 0 : kept.size();
      progress.stage("embed", n - from);
      ArrayDeque<CompletableFuture<float[][]>> window = new ArrayDeque<>();
      long next = from;
      EmbeddingSpool spool = null;
      // The index's passage template, as on every other path that embeds its passages.
      PromptTemplates templates = PromptTemplates.of(entry.embeddingOptions());
      long done = 0;
      try {
        if (reuse != null) {
          spool = new EmbeddingSpool(cache, old.dimensions());
          // Runs of consecutive kept rows, copied a run at a time (all of them when nothing was deleted).
          int i = 0;
          while (i < kept.size()) {
            long first = kept.get(i);
            int run = 1;
            while (i + run < kept.size() && kept.get(i + run) == first + run) {
              run++;
            }
            spool.appendFrom(reuse, first, run);
            i += run;
          }
        }
        while (next < n || !window.isEmpty()) {
          while (next < n && window.size() < settings.embedParallelism()) {
            List<String> texts = new ArrayList<>();
            for (long r = next; r < Math.min(n, next + settings.embedBatch()); r++) {
              texts.add(templates.passage(passages.get(r).text()));
            }
            next += texts.size();
            window.add(embedder.embed(entry, texts, settings.ingestEmbedTimeout()).toCompletableFuture());
          }
          float[][] vectors = window.poll().join();
          if (spool == null) {
            int dims = vectors[0].length;
            if (entry.dimensions() > 0 && dims != entry.dimensions()) {
              throw new IOException(entry.model() + " returned " + dims + "-d embeddings, index '"
                  + entry.name() + "' has " + entry.dimensions());
            }
            spool = new EmbeddingSpool(cache, dims);
          }
          for (float[] v : vectors) {
            spool.append(v);
          }
          done += vectors.length;
          progress.update(done);
        }
        spool.finish();
        return spool.dims();
      } finally {
        if (spool != null) {
          spool.close();
        }
        // Requests still running after a failure are abandoned; their results are not wanted.
        window.forEach(f -> f.cancel(false));
      }
    }
  }

  /**
   * The previous generation's embeddings if its cache covers all its rows and passes its checks,
   * else null (with a warning when there is a cache that fails them).
   */
  private static MemorySegment previousEmbeddings(IndexMeta old, Path oldGenDir, long oldRows, Arena arena) {
    Path file = oldGenDir.resolve(IndexLayout.EMBEDDING_CACHE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return EmbeddingSpool.mapVerified(file, oldRows, old.dimensions(), arena);
    } catch (IOException e) {
      log.warn("the embedding cache {} is not reused, every passage is embedded again: {}",
          oldGenDir.getParent().relativize(file), e instanceof IndexFormatException f ? f.problem() : e.getMessage());
      return null;
    }
  }

  /** Has every shard's graph built by the shard entity that will serve it, on its node. */
  private List<IndexMeta.Shard> buildGraphs(GraphBuild recipe, String name, int gen, long n, int dims,
      int shardCount, Progress progress) {
    progress.stage("graph", shardCount);
    AskPattern.<PlacementKeeper.Command, Done>askWithStatus(keeper,
            replyTo -> new PlacementKeeper.Ensure(name, shardCount, replyTo), settings.adminTimeout(),
            system.scheduler())
        .toCompletableFuture().join();
    ClusterSharding sharding = ClusterSharding.get(system);
    List<IndexMeta.Shard> shards = new ArrayList<>();
    List<CompletableFuture<Void>> builds = new ArrayList<>();
    String embeddings = IndexLayout.inGeneration(gen, IndexLayout.EMBEDDING_CACHE);
    for (int k = 0; k < shardCount; k++) {
      long from = n * k / shardCount;
      long to = n * (k + 1) / shardCount;
      String graph = IndexLayout.inGeneration(gen, IndexLayout.graphName(k, shardCount));
      shards.add(new IndexMeta.Shard(k, graph, IndexLayout.inGeneration(gen, IndexLayout.idsName(k, shardCount)),
          from, (int) (to - from)));
      builds.add(sharding.entityRefFor(IndexShards.TYPE_KEY, IndexShards.entityId(name, k))
          .<StatusReply<Done>>ask(replyTo -> new ShardActor.BuildGraph(embeddings, from, (int) (to - from), dims,
              graph, recipe, replyTo), settings.graphBuildTimeout())
          .toCompletableFuture()
          .thenAccept(reply -> {
            if (reply.isError()) {
              throw new CompletionException(reply.getError());
            }
            progress.increment();
          }));
    }
    CompletableFuture.allOf(builds.toArray(CompletableFuture[]::new)).join();
    return shards;
  }

  /**
   * The graph recipe of the index: the registry's settings, and the PQ bytes and hub budget its
   * committed meta records (a CLI build's {@code --pq-bytes} and {@code --hub-budget}); the defaults
   * for an index without one.
   */
  private GraphBuild recipe(IndexEntry entry, IndexMeta old) {
    return new GraphBuild(entry.metric(), entry.graphDegree(), settings.efConstruction(), settings.graphThreads(),
        entry.compact(), entry.recompute(), old == null ? null : old.pqBytes(), old == null ? 0 : old.hubBudget());
  }

  /**
   * The meta file of the new generation, with the fields the CLI build writes; the embedding
   * options of the previous one (how texts are embedded) carry over.
   */
  private IndexMeta meta(IndexEntry entry, IndexMeta old, GraphBuild recipe, int gen, int dims, long passages,
      List<IndexMeta.Shard> shards) {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("complexity", entry.complexity());
    recipe.record(kwargs);
    // The committed meta's options (server, prompt templates, max_seq_length) carry over; a new
    // index has the ones it was created with.
    return new IndexMeta("1.0", "hnsw", entry.model(), dims, kwargs, entry.embeddingMode(),
        old != null ? old.embeddingOptions() : entry.embeddingOptions(),
        List.of(new IndexMeta.PassageSource("jsonl", IndexLayout.inGeneration(gen, IndexLayout.PASSAGES),
            IndexLayout.inGeneration(gen, IndexLayout.PASSAGE_INDEX))),
        entry.compact(), entry.recompute(), passages, IndexMeta.FORMAT_VERSION, entry.metric(), shards);
  }

  private static String describe(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** The job's progress, written to the job table at stage changes and at most every 250 ms within. */
  private final class Progress {
    private JobEntry current;
    private long lastWrite;
    /** Passages the new generation adds and drops, known once its passages are written. */
    private long added;
    private long removed;

    Progress(JobEntry job) {
      this.current = job;
    }

    synchronized void stage(String stage, long total) {
      current = current.progress(stage, 0, total);
      write();
    }

    synchronized void update(long done) {
      current = current.progress(current.stage(), done, current.total());
      if (System.nanoTime() - lastWrite >= PROGRESS_INTERVAL_NANOS || done == current.total()) {
        write();
      }
    }

    synchronized void increment() {
      update(current.done() + 1);
    }

    private synchronized void write() {
      lastWrite = System.nanoTime();
      jobs.put(current.id(), current);
    }
  }
}
