package io.leann.coordinator.build;

import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.ChunkResult;
import io.leann.coordinator.chunk.ChunkWarning;
import io.leann.coordinator.chunk.Chunker;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.Document;
import io.leann.coordinator.ingest.DocumentLoader;
import io.leann.coordinator.ingest.DocumentStream;
import io.leann.embed.Embedder;
import io.leann.protocol.Metric;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.text.KeywordIndexWriter;
import io.leann.shard.text.TextAnalyzer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The build pipeline, the one every host runs: sources to passages, embed, one graph per shard,
 * the keyword index, commit. Its parts are pluggable: the sources (files for {@link #build}; API documents and
 * deletions for {@link #ingest}), the embedder ({@link PassageEmbedder}: in-process, or the
 * cluster's embed pool) and the graph builder ({@link GraphBuilder}: in-process, or the shard nodes).
 * The index's settings ({@link BuildSettings}) come from a build's flags the first time and from
 * the committed meta ever after, so the CLI, the standalone server and the cluster build alike.
 *
 * <p>Crash safety: every file of a build goes into a fresh generation directory; the meta file,
 * replaced atomically at the very end, is the commit point. Until then the previous meta and its
 * generation are untouched, so an index interrupted at any moment (kill -9 included) still loads.
 * {@link IndexDirectory} owns the lock, the generation numbers, the commit and old generations.
 *
 * <p>Sources: the files of a build request and the documents that came in over the API (the rows
 * the previous manifest names as {@code api_rows}); a file build carries the latter forward as they
 * are, with their metadata and, when the embedding cache may be reused, their embeddings. An ingest
 * carries every previous passage forward with its id (minus those a deletion drops) and appends the
 * new documents' passages ({@link ApiDocuments}).
 *
 * <p>Incremental: a file whose content hash matches the previous build's manifest is not chunked
 * again; its passages are copied from the previous generation, and so are its embeddings when the
 * index keeps an embedding copy ({@link BuildSettings#keepEmbeddings}: {@code embeddings.f32},
 * checksummed; a copy that fails its checks is not reused, with a warning). Without a copy (a file
 * build's default, so the index holds no full-precision vectors) every passage is embedded again:
 * the graph is rebuilt from exact embeddings. The copy is written during every build (the graph
 * stage reads it) and deleted before the commit when the index keeps none. When nothing changed,
 * the new generation is discarded and the index is left exactly as it was.
 *
 * <p>Memory: passages are streamed to disk, embeddings to a spool file; a shard's vectors are on
 * the heap only while its graph is built. One build per index at a time (a file lock). An instance
 * runs one build at a time.
 */
public final class IndexBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);
  /**
   * What an ingest committed.
   *
   * @param meta the committed meta
   * @param added passages the new generation added
   * @param removed passages it dropped
   */
  public record Ingested(IndexMeta meta, long added, long removed) {}

  private final PassageEmbedder embedder;
  private final GraphBuilder graphs;
  private final Progress progress;
  /** What a file build records in the meta as {@code embedding_options}; null for none. */
  private final Map<String, String> embeddingOptions;

  public IndexBuilder(Embedder embedder, Progress progress) {
    this(embedder, null, progress);
  }

  /**
   * A builder that embeds and builds graphs in this process.
   *
   * @param embeddingOptions what search needs to embed as this build did (server, prompt templates,
   *     never a key), recorded in the meta by a file build; its passage template is prepended to
   *     every passage
   */
  public IndexBuilder(Embedder embedder, Map<String, String> embeddingOptions, Progress progress) {
    this(PassageEmbedder.local(embedder), GraphBuilder.IN_PROCESS, embeddingOptions, progress);
  }

  /** A builder with the given embedder and graph builder; for {@link #ingest}, which reads its settings from the index. */
  public IndexBuilder(PassageEmbedder embedder, GraphBuilder graphs, Progress progress) {
    this(embedder, graphs, null, progress);
  }

  private IndexBuilder(PassageEmbedder embedder, GraphBuilder graphs, Map<String, String> embeddingOptions,
      Progress progress) {
    this.embedder = embedder;
    this.graphs = graphs;
    this.embeddingOptions = embeddingOptions;
    this.progress = progress;
  }

  /** Builds the index from the request's files (and the API documents it already holds). */
  public BuildOutcome build(BuildRequest req) throws IOException {
    IndexLayout layout = req.layout();
    boolean firstBuild = !Files.exists(layout.dir());
    try (IndexDirectory.Writer writer = IndexDirectory.of(layout.dir()).lock(false)) {
      try {
        return buildLocked(req, writer);
      } catch (IOException | RuntimeException e) {
        // A failed first build leaves no directory behind. Only the lock holder may delete it.
        if (firstBuild) {
          try {
            IndexDirectory.deleteTree(layout.dir());
          } catch (IOException cleanup) {
            e.addSuppressed(cleanup);
          }
        }
        throw e;
      }
    }
  }

  private BuildOutcome buildLocked(BuildRequest req, IndexDirectory.Writer writer) throws IOException {
    IndexLayout layout = req.layout();
    BuildSettings settings = new BuildSettings(req.embeddingMode(), embedder.modelId(), embeddingOptions,
        req.chunking(), req.graph(), req.searchComplexity(), req.shards(), req.textAnalyzer(), req.keepEmbeddings());
    String fingerprint = fingerprint(req, settings);
    try (Previous prev = Previous.open(layout, fingerprint, req.force(), false, progress)) {
      Path genDir = writer.stage();
      int gen = writer.generation();
      // Stage 1: passages, with a note of which rows can take a previous embedding.
      LinkedHashMap<String, Manifest.FileEntry> files = new LinkedHashMap<>();
      LongList reuseFrom = new LongList();
      boolean metadataMoved = false;
      DocumentStream docs = new DocumentLoader(req.loader()).open(req.docs());
      Chunker chunker = new Chunker(req.chunking());
      List<Manifest.Rows> apiRows = new ArrayList<>();
      progress.stage("chunk", 0);
      try (PassageWriter out = passageWriter(genDir)) {
        while (docs.hasNext()) {
          Document doc = docs.next();
          String key = doc.path().toString();
          long first = out.size();
          Manifest.FileEntry old = prev == null || !prev.sameSettings ? null : prev.manifest.files().get(key);
          if (old != null && old.sameContent(doc.contentHash())) {
            for (long r = old.firstRow(); r < old.firstRow() + old.count(); r++) {
              Passage p = prev.passages.get(r);
              Map<String, Object> meta = p.metadata();
              // relative_path depends on the build's inputs, not on the file: another set of
              // inputs (or the older file-name-only rule) moves it, and the meta must follow.
              if (!doc.relativePath().equals(meta.get(Chunk.RELATIVE_PATH))) {
                meta = new LinkedHashMap<>(meta);
                meta.put(Chunk.RELATIVE_PATH, doc.relativePath());
                metadataMoved = true;
              }
              out.append(new Passage(String.valueOf(out.size()), p.text(), meta));
              reuseFrom.add(r);
            }
          } else {
            ChunkResult result = chunker.chunk(doc);
            for (ChunkWarning w : result.warnings()) {
              progress.note("warning: " + w.message());
            }
            for (Chunk c : result.chunks()) {
              out.append(new Passage(String.valueOf(out.size()), c.text(), c.metadata()));
              reuseFrom.add(-1);
            }
          }
          files.put(key, new Manifest.FileEntry(doc.contentHash(), first, (int) (out.size() - first)));
          progress.update(files.size());
        }
        // The documents that came in over the API are sources too: they follow the files, as they
        // are, with their embeddings when those can be reused.
        if (prev != null && prev.manifest.apiRowCount() > 0) {
          long first = out.size();
          for (Manifest.Rows run : prev.manifest.apiRows()) {
            for (long r = run.firstRow(); r < run.firstRow() + run.count(); r++) {
              Passage p = prev.passages.get(r);
              out.append(new Passage(String.valueOf(out.size()), p.text(), p.metadata()));
              reuseFrom.add(prev.sameSettings ? r : -1);
            }
          }
          apiRows.add(new Manifest.Rows(first, out.size() - first));
          progress.note("kept " + (out.size() - first) + " passages of documents added over the API");
        }
        out.commit();
      }
      progress.done(files.size() + " files, " + reuseFrom.size() + " chunks; " + docs.report().summary());
      // The API jobs the committed generation applied stay applied: the log must not replay them.
      List<String> ingested = prev != null ? prev.manifest.ingestedJobs() : committedIngestedJobs(layout);
      Manifest manifest = new Manifest(fingerprint, graphSettings(req), files, req.args(), apiRows, ingested);
      if (prev != null && prev.sameSettings && prev.manifest.sameAs(manifest) && !metadataMoved) {
        progress.note("index '" + layout.name() + "' is up to date: nothing to do");
        return new BuildOutcome(true, reuseFrom.size(), 0, reuseFrom.size(), files.size(),
            docs.report(), prev.generation);
      }
      if (reuseFrom.size() == 0) {
        throw new IOException("no text found to index in " + req.docs() + " (" + docs.report().summary() + ")");
      }
      IndexMeta meta = finish(layout, writer, genDir, settings, reuseFrom, prev, manifest, req.embedBatch());
      long embedded = 0;
      for (int i = 0; i < reuseFrom.size(); i++) {
        embedded += prev == null || prev.embeddings == null || reuseFrom.get(i) < 0 ? 1 : 0;
      }
      return new BuildOutcome(false, meta.totalPassages(), embedded, reuseFrom.size() - embedded,
          files.size(), docs.report(), gen);
    }
  }

  /**
   * Applies an API job's change to the committed generation and commits the next one: the previous
   * passages the change keeps, with their ids, rows in order and embeddings, then the added
   * documents' passages. The caller holds the index's writer lock.
   *
   * @param created the settings the index was created with, for its first build; null for an index
   *     that must have a committed generation. Once one is committed, the meta's settings win, except
   *     for the shard count asked for at creation. Either way the index keeps its embedding copy:
   *     API jobs change a few documents at a time, and without it each would re-embed every passage.
   * @param embedBatch texts per embedding request
   * @return what was committed, or null when the change changes nothing (a deletion that matched no
   *     passage), and no generation was written
   * @throws IllegalStateException if a deletion would leave the index empty
   */
  public Ingested ingest(IndexDirectory.Writer writer, IndexLayout layout, IngestChange change,
      BuildSettings created, int threads, int embedBatch) throws IOException {
    try (Previous prev = Previous.open(layout, null, false, true, progress)) {
      if (prev == null && created == null) {
        throw new IOException("index '" + layout.name() + "' has no committed generation to add to");
      }
      BuildSettings settings = (prev == null ? created
          : BuildSettings.of(prev.meta, layout.meta(), threads, created == null ? null : created.shards()))
          .withEmbeddingCopy();
      Path genDir = writer.stage();
      long oldRows = prev == null ? 0 : prev.passages.size();
      LongList reuseFrom = new LongList();
      LongList kept = new LongList();
      progress.stage("chunk", change.added().size());
      try (PassageWriter out = passageWriter(genDir)) {
        for (long r = 0; r < oldRows; r++) {
          Passage p = prev.passages.get(r);
          if (change.removed() == null || !change.removed().test(p)) {
            out.append(p);
            kept.add(r);
            reuseFrom.add(prev.sameSettings ? r : -1);
          }
        }
        Chunker chunker = new Chunker(settings.chunking());
        for (int i = 0; i < change.added().size(); i++) {
          for (ApiDocuments.Piece piece : ApiDocuments.chunk(chunker, layout.dir(), i, change.added().get(i))) {
            String id = String.valueOf(out.size());
            if (prev != null && prev.passages.rowOf(id).isPresent()) {
              // The index was built with ids that are not row numbers; keep new ids apart from them.
              id = change.id() + "-" + out.size();
            }
            out.append(new Passage(id, piece.text(), piece.metadata()));
            reuseFrom.add(-1);
          }
          progress.update(i + 1);
        }
        out.commit();
      }
      long added = reuseFrom.size() - kept.size();
      progress.done(added + " passages added, " + (oldRows - kept.size()) + " removed");
      if (added == 0 && kept.size() == oldRows) {
        return null;
      }
      if (reuseFrom.size() == 0) {
        throw new IllegalStateException("the filter matches all " + oldRows + " passages of index '"
            + layout.name() + "'; delete the index instead (DELETE /indexes/" + layout.name() + ")");
      }
      Manifest manifest = Manifest.afterIngest(prev == null ? null : prev.manifest, oldRows, kept, added,
          change.id());
      IndexMeta meta = finish(layout, writer, genDir, settings, reuseFrom, prev, manifest, embedBatch);
      return new Ingested(meta, added, oldRows - kept.size());
    }
  }

  /** {@link Manifest#ingestedJobs} of the committed generation; none when there is none or it cannot be read. */
  private static List<String> committedIngestedJobs(IndexLayout layout) {
    try {
      return Files.isRegularFile(layout.meta()) ? Manifest.ingestedJobs(layout.dir(), IndexMeta.read(layout.meta()))
          : List.of();
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static PassageWriter passageWriter(Path genDir) throws IOException {
    return PassageWriter.create(genDir.resolve(IndexLayout.PASSAGES), genDir.resolve(IndexLayout.PASSAGE_INDEX),
        genDir.resolve(IndexLayout.PASSAGE_IDS));
  }

  /**
   * The stages after the passages, the same for every source: embeddings (reused or embedded),
   * shard graphs, the keyword index, manifest, and the commit of the meta.
   *
   * @param reuseFrom for each new row, the previous row whose embedding and keyword document it
   *     takes, or -1
   */
  private IndexMeta finish(IndexLayout layout, IndexDirectory.Writer writer, Path genDir, BuildSettings settings,
      LongList reuseFrom, Previous prev, Manifest manifest, int embedBatch) throws IOException {
    int gen = writer.generation();
    try (PassageStore passages = PassageStore.open(genDir.resolve(IndexLayout.PASSAGES),
            genDir.resolve(IndexLayout.PASSAGE_INDEX));
        EmbeddingSpool spool = embed(genDir, settings, passages, reuseFrom, prev, embedBatch)) {
      long n = passages.size();
      int shardCount = (int) Math.max(1, Math.min(settings.shards(), n));
      List<IndexMeta.Shard> shards = new ArrayList<>();
      for (int k = 0; k < shardCount; k++) {
        long from = n * k / shardCount;
        long to = n * (k + 1) / shardCount;
        shards.add(new IndexMeta.Shard(k, IndexLayout.inGeneration(gen, IndexLayout.graphName(k, shardCount)),
            IndexLayout.inGeneration(gen, IndexLayout.idsName(k, shardCount)), from, (int) (to - from)));
      }
      graphs.build(layout, settings.graph(), spool, shards, progress);
      for (IndexMeta.Shard s : shards) {
        writeIds(layout.resolve(s.ids()), passages, s.firstRow(), s.firstRow() + s.count());
      }
      progress.stage("keywords", n);
      writeKeywords(layout, prev, reuseFrom, genDir.resolve(IndexLayout.KEYWORDS), settings.textAnalyzer(), passages);
      progress.done(n + " passages");
      manifest.write(genDir.resolve(IndexLayout.MANIFEST));
      if (!settings.keepEmbeddings()) {
        spool.discard();
      }
      IndexMeta meta = meta(settings, gen, spool.dims(), n, shards, vectorCodes(layout, shards));
      writer.commit(meta);
      return meta;
    }
  }

  /**
   * The keyword index: in place from the previous generation's when its passages may be reused and
   * it has the same analyzer (reused rows keep their documents, moved to their new rows; only new
   * passages are analysed), afresh otherwise, or, with a warning, when the previous one fails its checks.
   */
  private void writeKeywords(IndexLayout layout, Previous prev, LongList reuseFrom, Path target, TextAnalyzer analyzer,
      PassageStore passages) throws IOException {
    Path previous = null;
    if (prev != null && prev.sameSettings && analyzer == TextAnalyzer.recorded(prev.meta, layout.meta())) {
      previous = layout.resolve(prev.meta.passageSources().get(0).path()).resolveSibling(IndexLayout.KEYWORDS);
    }
    try {
      KeywordIndexWriter.write(previous, previous == null ? 0 : prev.passages.size(),
          row -> reuseFrom.get((int) row), target, analyzer, passages);
    } catch (IndexFormatException e) {
      progress.note("warning: the previous keyword index cannot be reused (" + e.getMessage()
          + "); indexing every passage again");
      IndexDirectory.deleteTree(target);
      KeywordIndexWriter.build(target, analyzer, passages);
    }
  }

  /**
   * Writes the embedding of every row to the generation's spool, in row order: reused rows copied
   * from the previous generation's cache a run at a time, the others embedded with the index's
   * passage template, up to the embedder's parallelism of requests in flight.
   */
  private EmbeddingSpool embed(Path genDir, BuildSettings settings, PassageStore passages, LongList reuseFrom,
      Previous prev, int batchSize) throws IOException {
    MemorySegment reuse = prev == null ? null : prev.embeddings;
    int expected = reuse != null ? prev.meta.dimensions() : embedder.dimensions();
    long n = passages.size();
    long toEmbed = 0;
    for (int i = 0; i < reuseFrom.size(); i++) {
      toEmbed += reuse == null || reuseFrom.get(i) < 0 ? 1 : 0;
    }
    if (reuse == null && prev != null && prev.sameSettings && !prev.keptCopy) {
      progress.note("the index keeps no embedding copy (build with --keep-embeddings for one): all " + n
          + " passages are embedded again");
    }
    PromptTemplates templates = PromptTemplates.of(settings.embeddingOptions());
    Path file = genDir.resolve(IndexLayout.EMBEDDING_CACHE);
    progress.stage("embed", toEmbed);
    // In row order: a long[] {first previous row, count} to copy, or a request in flight.
    ArrayDeque<Object> steps = new ArrayDeque<>();
    int inFlight = 0;
    long next = 0;
    long done = 0;
    EmbeddingSpool spool = expected > 0 ? new EmbeddingSpool(file, expected) : null;
    try {
      while (next < n || !steps.isEmpty()) {
        while (next < n && inFlight < embedder.parallelism()) {
          long from = reuse == null ? -1 : reuseFrom.get((int) next);
          if (from >= 0) {
            int run = 1;
            while (next + run < n && reuseFrom.get((int) (next + run)) == from + run) {
              run++;
            }
            steps.add(new long[] {from, run});
            next += run;
          } else {
            List<String> texts = new ArrayList<>(batchSize);
            while (next < n && texts.size() < batchSize && (reuse == null || reuseFrom.get((int) next) < 0)) {
              texts.add(templates.passage(passages.get(next).text()));
              next++;
            }
            steps.add(embedder.embed(texts).toCompletableFuture());
            inFlight++;
          }
        }
        Object step = steps.poll();
        if (step instanceof long[] copy) {
          spool.appendFrom(reuse, copy[0], copy[1]);
          continue;
        }
        float[][] vectors = ((CompletableFuture<?>) step).thenApply(float[][].class::cast).join();
        inFlight--;
        if (spool == null) {
          spool = new EmbeddingSpool(file, vectors[0].length);
        }
        for (float[] v : vectors) {
          spool.append(v);
        }
        done += vectors.length;
        progress.update(done);
      }
      if (spool == null) {
        throw new IOException("no passages to embed in " + genDir);
      }
      spool.finish();
      progress.done(done + " chunks embedded with " + embedder.modelId()
          + (n > done ? ", " + (n - done) + " reused" : ""));
      return spool;
    } catch (IOException | RuntimeException e) {
      // Requests still running are abandoned; their results are not wanted.
      steps.forEach(s -> {
        if (s instanceof CompletableFuture<?> f) {
          f.cancel(false);
        }
      });
      if (spool != null) {
        try {
          spool.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      if (e instanceof CompletionException c && c.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  /** Writes the passage ids of rows {@code [from, to)}, one per line: a shard's node-to-passage map. */
  public static void writeIds(Path file, PassageStore passages, long from, long to) throws IOException {
    AtomicFiles.write(file, temp -> {
      try (BufferedWriter w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        for (long r = from; r < to; r++) {
          w.write(passages.id(r));
          w.write('\n');
        }
      }
    });
  }

  /**
   * What stands in for the embeddings in the shards' graph files, one entry per distinct shape
   * ({@link IndexMeta#VECTOR_CODES}); read back from the files, which the graph stage may have
   * written in another process.
   */
  private static String vectorCodes(IndexLayout layout, List<IndexMeta.Shard> shards) throws IOException {
    Set<String> codes = new LinkedHashSet<>();
    for (IndexMeta.Shard s : shards) {
      try (HnswIndex index = HnswIndex.load(layout.resolve(s.graph()))) {
        codes.add(index.hasVectors() ? "vectors f32" : index.pq() != null ? index.pq().quantizer().describe() : "no pq");
      }
    }
    return String.join(", ", codes);
  }

  private static IndexMeta meta(BuildSettings settings, int gen, int dims, long passages,
      List<IndexMeta.Shard> shards, String vectorCodes) {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    settings.record(kwargs);
    kwargs.put(IndexMeta.VECTOR_CODES, vectorCodes);
    GraphBuild graph = settings.graph();
    return new IndexMeta("1.0", "hnsw", settings.model(), dims, kwargs, settings.embeddingMode(),
        settings.embeddingOptions(),
        List.of(new IndexMeta.PassageSource("jsonl", IndexLayout.inGeneration(gen, IndexLayout.PASSAGES),
            IndexLayout.inGeneration(gen, IndexLayout.PASSAGE_INDEX))),
        graph.compact(), graph.recompute(), passages, IndexMeta.FORMAT_VERSION,
        Metric.parse(graph.metric()).leannName(), shards);
  }

  /** Settings that change passages or their vectors: reusing across a change would be wrong. */
  private String fingerprint(BuildRequest req, BuildSettings settings) {
    // Set.toString order differs between JVM runs, so the file types are sorted explicitly.
    String types = String.join(",", new TreeSet<>(req.loader().fileTypes().extensions()));
    String fingerprint = String.join("|", embedder.modelId(), String.valueOf(embedder.dimensions()),
        req.chunking().toString(), types, String.valueOf(req.loader().includeHidden()),
        String.valueOf(req.loader().respectGitignore()), String.valueOf(req.loader().maxFileBytes()));
    // Appended only when set, so that indexes built before templates existed keep their fingerprint.
    String passageTemplate = PromptTemplates.of(settings.embeddingOptions()).passage();
    return passageTemplate == null ? fingerprint : fingerprint + "|passage-template=" + passageTemplate;
  }

  private static String graphSettings(BuildRequest req) {
    return String.join("|", req.metric().name(), String.valueOf(req.graphDegree()),
        String.valueOf(req.efConstruction()), String.valueOf(req.compact()), String.valueOf(req.recompute()),
        String.valueOf(req.shards()), String.valueOf(req.searchComplexity()),
        "pq=" + (req.pqBytes() == null ? "default" : req.pqBytes()), "hubs=" + req.hubBudget(),
        "text=" + req.textAnalyzer().id())
        // Appended only when set, so that toggling the copy on rebuilds (and writes it), and indexes
        // built before the flag existed keep their settings.
        + (req.keepEmbeddings() ? "|embeddings=kept" : "");
  }

  /** The arguments of the build that made the committed generation of {@code layout}. */
  public static List<String> recordedArgs(IndexLayout layout) throws IOException {
    IndexMeta meta = IndexMeta.read(layout.meta());
    Path genDir = layout.resolve(meta.passageSources().get(0).path()).getParent();
    List<String> args = Manifest.read(genDir.resolve(IndexLayout.MANIFEST)).buildArgs();
    if (args == null || args.isEmpty()) {
      throw new IOException("index '" + layout.name() + "' records no build arguments; rebuild it with leann build");
    }
    return args;
  }

  /**
   * The committed build: its meta, passages, manifest and, when they may be reused (same settings,
   * not forced, an embedding copy that passes its checks), its embeddings.
   */
  private static final class Previous implements AutoCloseable {
    final IndexMeta meta;
    /** -1 when the passages are not in a generation directory (an index imported in place). */
    final int generation;
    /** Null for an ingest into an index without one (imported); its rows then count as API rows. */
    final Manifest manifest;
    final PassageStore passages;
    /** Same passage settings and not forced (always for an ingest): unchanged sources keep their passages. */
    final boolean sameSettings;
    /** Whether the previous build kept an embedding copy (it may still fail its checks). */
    final boolean keptCopy;
    /** Null when no embedding may be reused. */
    final MemorySegment embeddings;
    private final Arena arena;

    private Previous(IndexMeta meta, Manifest manifest, PassageStore passages, boolean sameSettings,
        boolean keptCopy, MemorySegment embeddings, Arena arena) {
      this.meta = meta;
      this.generation = IndexDirectory.generationOf(meta);
      this.manifest = manifest;
      this.passages = passages;
      this.sameSettings = sameSettings;
      this.keptCopy = keptCopy;
      this.embeddings = embeddings;
      this.arena = arena;
    }

    /**
     * The previous build, or null when there is none. For a file build (not {@code ingest}), also
     * null when it cannot be read or nothing of it may be reused; one that holds documents added
     * over the API and cannot be read is an error: they must not be lost. An ingest keeps every
     * passage, so for it any committed generation whose passages cannot be read is an error.
     *
     * @param fingerprint the file build's settings; embeddings are reused only under the same ones
     *     (an ingest always reuses them: it builds with the settings the meta records)
     */
    static Previous open(IndexLayout layout, String fingerprint, boolean force, boolean ingest, Progress progress)
        throws IOException {
      if (!Files.isRegularFile(layout.meta())) {
        return null;
      }
      IndexMeta meta;
      Manifest manifest;
      Path genDir;
      try {
        meta = IndexMeta.read(layout.meta());
        genDir = layout.resolve(meta.passageSources().get(0).path()).getParent();
        manifest = ingest ? previousManifest(genDir) : Manifest.read(genDir.resolve(IndexLayout.MANIFEST));
      } catch (IOException | RuntimeException e) {
        if (ingest) {
          throw e;
        }
        // An unreadable previous build cannot be reused; this build starts from scratch.
        return null;
      }
      boolean reuse = ingest || (!force && manifest.fingerprint().equals(fingerprint));
      long apiRows = manifest == null ? 0 : manifest.apiRowCount();
      if (!reuse && apiRows == 0) {
        return null;
      }
      PassageStore passages;
      try {
        passages = PassageStore.open(layout.resolve(meta.passageSources().get(0).path()),
            layout.resolve(meta.passageSources().get(0).indexPath()));
      } catch (IOException | RuntimeException e) {
        if (ingest || apiRows > 0) {
          throw new IOException("index '" + layout.name() + "' holds " + (ingest ? "passages" : apiRows
              + " passages of documents added over the API") + ", and its passages cannot be read to keep them: "
              + e.getMessage(), e);
        }
        return null;
      }
      Path cache = genDir.resolve(IndexLayout.EMBEDDING_CACHE);
      // Indexes built before the copy became optional kept one without saying so in the meta.
      boolean keptCopy = meta.keepsEmbeddingCopy() || Files.exists(cache);
      if (!reuse || !keptCopy || (ingest && !Files.isRegularFile(cache))) {
        return new Previous(meta, manifest, passages, reuse, keptCopy, null, null);
      }
      Arena arena = Arena.ofShared();
      try {
        MemorySegment embeddings = EmbeddingSpool.mapVerified(cache, passages.size(), meta.dimensions(), arena);
        return new Previous(meta, manifest, passages, true, true, embeddings, arena);
      } catch (IOException | RuntimeException e) {
        arena.close();
        progress.note("warning: the embedding cache of index '" + layout.name() + "' is not reused, every"
            + " passage is embedded again: " + (e instanceof IndexFormatException f
                ? layout.dir().relativize(f.file()) + " " + f.problem() : e.getMessage()));
        return new Previous(meta, manifest, passages, true, true, null, null);
      }
    }

    /** The manifest of a generation an ingest builds on, or null when it has none or it cannot be read. */
    private static Manifest previousManifest(Path genDir) {
      Path file = genDir.resolve(IndexLayout.MANIFEST);
      if (!Files.isRegularFile(file)) {
        return null;
      }
      try {
        return Manifest.read(file);
      } catch (IOException | RuntimeException e) {
        LOG.warn("the manifest {} cannot be read, its rows count as API documents: {}", file, e.getMessage());
        return null;
      }
    }

    @Override
    public void close() {
      passages.close();
      if (arena != null) {
        arena.close();
      }
    }
  }
}
