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
import io.leann.embed.PromptedEmbedder;
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
import io.leann.shard.text.Bm25Index;
import io.leann.shard.vector.ArrayVectors;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The build pipeline: load files, chunk, write passages, embed, build one graph per shard, commit.
 *
 * <p>Crash safety: every file of a build goes into a fresh generation directory; the meta file,
 * replaced atomically at the very end, is the commit point. Until then the previous meta and its
 * generation are untouched, so an index interrupted at any moment (kill -9 included) still loads.
 * {@link IndexDirectory} owns the lock, the generation numbers, the commit and old generations.
 *
 * <p>Sources: the files of the request and the documents that came in over the API (the rows the
 * previous manifest names as {@code api_rows}); a build carries the latter forward as they are,
 * with their metadata and, when the embedding cache may be reused, their embeddings.
 *
 * <p>Incremental: a file whose content hash matches the previous build's manifest is not chunked
 * again; its passages are copied from the previous generation, and so are its embeddings when the
 * index keeps an embedding copy ({@link BuildRequest#keepEmbeddings}: {@code embeddings.f32},
 * checksummed; a copy that fails its checks is not reused, with a warning). Without a copy (the
 * default, so the index holds no full-precision vectors) every passage is embedded again: the graph
 * is rebuilt from exact embeddings. When nothing changed, the new generation is discarded and the
 * index is left exactly as it was.
 *
 * <p>Memory: passages are streamed to disk, embeddings to a spool file; a shard's vectors are on
 * the heap only while its graph is built. One build per index at a time (a file lock).
 */
public final class IndexBuilder {
  /**
   * Metadata a source gives the passages of one of its documents beyond the chunker's (an API
   * document's own metadata), so filters can select them; its keys win over the chunker's.
   */
  @FunctionalInterface
  public interface OwnMetadata {
    /** Plain files have none. */
    OwnMetadata NONE = doc -> Map.of();

    Map<String, Object> of(Document doc) throws IOException;
  }

  /** Embeds passage texts: the caller's embedder behind the index's passage template. */
  private final Embedder embedder;
  private final Progress progress;
  /** Recorded in the meta as {@code embedding_options}; null for none. */
  private final Map<String, String> embeddingOptions;
  private final String passageTemplate;
  private final OwnMetadata ownMetadata;

  public IndexBuilder(Embedder embedder, Progress progress) {
    this(embedder, null, progress, OwnMetadata.NONE);
  }

  public IndexBuilder(Embedder embedder, Map<String, String> embeddingOptions, Progress progress) {
    this(embedder, embeddingOptions, progress, OwnMetadata.NONE);
  }

  /**
   * @param embeddingOptions what search needs to embed as this build did (server, prompt templates,
   *     never a key), recorded in the meta; its passage template is prepended to every passage here
   * @param ownMetadata the metadata each document's source gives its passages
   */
  public IndexBuilder(Embedder embedder, Map<String, String> embeddingOptions, Progress progress,
      OwnMetadata ownMetadata) {
    this.passageTemplate = PromptTemplates.of(embeddingOptions).passage();
    this.embedder = PromptedEmbedder.of(embedder, passageTemplate);
    this.embeddingOptions = embeddingOptions == null || embeddingOptions.isEmpty() ? null
        : Collections.unmodifiableMap(new TreeMap<>(embeddingOptions));
    this.progress = progress;
    this.ownMetadata = ownMetadata;
  }

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
    try (Previous prev = Previous.open(layout, fingerprint(req), req.force(), progress)) {
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
      try (PassageWriter out = PassageWriter.create(genDir.resolve(IndexLayout.PASSAGES),
          genDir.resolve(IndexLayout.PASSAGE_INDEX), genDir.resolve(IndexLayout.PASSAGE_IDS))) {
        while (docs.hasNext()) {
          Document doc = docs.next();
          String key = doc.path().toString();
          long first = out.size();
          Manifest.FileEntry old = prev == null || !prev.sameSettings ? null : prev.manifest.files().get(key);
          Map<String, Object> own = ownMetadata.of(doc);
          if (old != null && old.sameContent(doc.contentHash())) {
            for (long r = old.firstRow(); r < old.firstRow() + old.count(); r++) {
              Passage p = prev.passages.get(r);
              Map<String, Object> meta = p.metadata();
              // relative_path depends on the build's inputs, not on the file: another set of
              // inputs (or the older file-name-only rule) moves it, and the meta must follow; so
              // must the document's own metadata, which an older build may not have attached.
              if (!doc.relativePath().equals(meta.get(Chunk.RELATIVE_PATH))
                  || !meta.entrySet().containsAll(own.entrySet())) {
                meta = new LinkedHashMap<>(meta);
                meta.put(Chunk.RELATIVE_PATH, doc.relativePath());
                meta.putAll(own);
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
              Map<String, Object> meta = c.metadata();
              if (!own.isEmpty()) {
                meta = new LinkedHashMap<>(meta);
                meta.putAll(own);
              }
              out.append(new Passage(String.valueOf(out.size()), c.text(), meta));
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
      Manifest manifest = new Manifest(fingerprint(req), graphSettings(req), files, req.args(), apiRows);
      if (prev != null && prev.sameSettings && prev.manifest.sameAs(manifest) && !metadataMoved) {
        progress.note("index '" + layout.name() + "' is up to date: nothing to do");
        return new BuildOutcome(true, reuseFrom.size(), 0, reuseFrom.size(), files.size(),
            docs.report(), prev.generation);
      }
      if (reuseFrom.size() == 0) {
        throw new IOException("no text found to index in " + req.docs() + " (" + docs.report().summary() + ")");
      }

      // Stage 2: embeddings, streamed to the cache file in row order.
      long embedded;
      try (PassageStore passages = PassageStore.open(genDir.resolve(IndexLayout.PASSAGES),
              genDir.resolve(IndexLayout.PASSAGE_INDEX));
          EmbeddingSpool spool = new EmbeddingSpool(genDir.resolve(IndexLayout.EMBEDDING_CACHE),
              embedder.dimensions())) {
        embedded = embed(passages, reuseFrom, prev, spool, req.embedBatch());
        spool.finish();

        // Stage 3: one graph per shard over a contiguous range of rows, and the BM25 index.
        Set<String> vectorCodes = new LinkedHashSet<>();
        List<IndexMeta.Shard> shards = buildShards(req, genDir, gen, passages, spool, vectorCodes);
        progress.stage("bm25", passages.size());
        Bm25Index.build(passages).save(genDir.resolve(IndexLayout.BM25));
        progress.done(passages.size() + " passages");
        manifest.write(genDir.resolve(IndexLayout.MANIFEST));
        if (!req.keepEmbeddings()) {
          spool.discard();
        }
        writer.commit(meta(req, gen, passages.size(), shards, vectorCodes));
        return new BuildOutcome(false, passages.size(), embedded, reuseFrom.size() - embedded,
            files.size(), docs.report(), gen);
      }
    }
  }

  private long embed(PassageStore passages, LongList reuseFrom, Previous prev, EmbeddingSpool spool,
      int batchSize) throws IOException {
    long total = passages.size();
    long toEmbed = total;
    if (prev != null && prev.embeddings != null) {
      for (int i = 0; i < reuseFrom.size(); i++) {
        toEmbed -= reuseFrom.get(i) >= 0 ? 1 : 0;
      }
    } else if (prev != null && prev.sameSettings && !prev.keptCopy) {
      progress.note("the index keeps no embedding copy (build with --keep-embeddings for one): all " + total
          + " passages are embedded again");
    }
    progress.stage("embed", toEmbed);
    List<String> batch = new ArrayList<>(batchSize);
    long done = 0;
    for (long row = 0; row < total; row++) {
      long from = prev == null || prev.embeddings == null ? -1 : reuseFrom.get((int) row);
      if (from >= 0) {
        done += flush(batch, spool);
        spool.appendFrom(prev.embeddings, from, 1);
        continue;
      }
      batch.add(passages.get(row).text());
      if (batch.size() == batchSize) {
        done += flush(batch, spool);
        progress.update(done);
      }
    }
    done += flush(batch, spool);
    progress.done(done + " chunks embedded with " + embedder.modelId()
        + (total > done ? ", " + (total - done) + " reused" : ""));
    return done;
  }

  private int flush(List<String> batch, EmbeddingSpool spool) throws IOException {
    if (batch.isEmpty()) {
      return 0;
    }
    float[][] vectors = embedder.embed(batch);
    for (float[] v : vectors) {
      spool.append(v);
    }
    int n = batch.size();
    batch.clear();
    return n;
  }

  /** Builds the shard graphs; adds what stands in for each shard's embeddings to {@code vectorCodes}. */
  private List<IndexMeta.Shard> buildShards(BuildRequest req, Path genDir, int gen, PassageStore passages,
      EmbeddingSpool spool, Set<String> vectorCodes) throws IOException {
    long n = passages.size();
    int shardCount = (int) Math.max(1, Math.min(req.shards(), n));
    List<IndexMeta.Shard> shards = new ArrayList<>();
    GraphBuild graph = req.graph();
    for (int k = 0; k < shardCount; k++) {
      long from = n * k / shardCount;
      long to = n * (k + 1) / shardCount;
      ArrayVectors vectors = spool.slice(from, to);
      progress.stage("graph " + (k + 1) + "/" + shardCount, to - from);
      String graphName = IndexLayout.graphName(k, shardCount);
      String idsName = IndexLayout.idsName(k, shardCount);
      try (HnswIndex index = graph.build(vectors)) {
        index.save(genDir.resolve(graphName));
        vectorCodes.add(index.hasVectors() ? "vectors f32" : index.hasPq() ? index.pq().quantizer().describe() : "no pq");
      }
      writeIds(genDir.resolve(idsName), passages, from, to);
      progress.done((to - from) + " nodes");
      shards.add(new IndexMeta.Shard(k, IndexLayout.inGeneration(gen, graphName),
          IndexLayout.inGeneration(gen, idsName), from, (int) (to - from)));
    }
    return shards;
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

  private IndexMeta meta(BuildRequest req, int gen, long passages, List<IndexMeta.Shard> shards,
      Set<String> vectorCodes) {
    Map<String, Object> kwargs = new LinkedHashMap<>();
    kwargs.put("complexity", req.searchComplexity());
    req.graph().record(kwargs);
    kwargs.put(IndexMeta.VECTOR_CODES, String.join(", ", vectorCodes));
    if (req.keepEmbeddings()) {
      kwargs.put(IndexMeta.EMBEDDING_COPY, "float32");
    }
    return new IndexMeta("1.0", "hnsw", embedder.modelId(), embedder.dimensions(), kwargs,
        req.embeddingMode(), embeddingOptions,
        List.of(new IndexMeta.PassageSource("jsonl", IndexLayout.inGeneration(gen, IndexLayout.PASSAGES),
            IndexLayout.inGeneration(gen, IndexLayout.PASSAGE_INDEX))),
        req.compact(), req.recompute(), passages, IndexMeta.FORMAT_VERSION, req.metric().leannName(),
        shards);
  }

  /** Settings that change passages or their vectors: reusing across a change would be wrong. */
  private String fingerprint(BuildRequest req) {
    // Set.toString order differs between JVM runs, so the file types are sorted explicitly.
    String types = String.join(",", new TreeSet<>(req.loader().fileTypes().extensions()));
    String fingerprint = String.join("|", embedder.modelId(), String.valueOf(embedder.dimensions()),
        req.chunking().toString(), types, String.valueOf(req.loader().includeHidden()),
        String.valueOf(req.loader().respectGitignore()), String.valueOf(req.loader().maxFileBytes()));
    // Appended only when set, so that indexes built before templates existed keep their fingerprint.
    return passageTemplate == null ? fingerprint : fingerprint + "|passage-template=" + passageTemplate;
  }

  private static String graphSettings(BuildRequest req) {
    return String.join("|", req.metric().name(), String.valueOf(req.graphDegree()),
        String.valueOf(req.efConstruction()), String.valueOf(req.compact()), String.valueOf(req.recompute()),
        String.valueOf(req.shards()), String.valueOf(req.searchComplexity()),
        "pq=" + (req.pqBytes() == null ? "default" : req.pqBytes()), "hubs=" + req.hubBudget())
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
   * The committed build: its passages, its manifest and, when they may be reused (same settings,
   * not forced, an embedding copy that passes its checks), its embeddings.
   */
  private static final class Previous implements AutoCloseable {
    final int generation;
    final Manifest manifest;
    final PassageStore passages;
    /** Same passage settings and not forced: unchanged files keep their passages. */
    final boolean sameSettings;
    /** Whether the previous build kept an embedding copy (it may still fail its checks). */
    final boolean keptCopy;
    /** Null when no embedding may be reused. */
    final MemorySegment embeddings;
    private final Arena arena;

    private Previous(int generation, Manifest manifest, PassageStore passages, boolean sameSettings,
        boolean keptCopy, MemorySegment embeddings, Arena arena) {
      this.generation = generation;
      this.manifest = manifest;
      this.passages = passages;
      this.sameSettings = sameSettings;
      this.keptCopy = keptCopy;
      this.embeddings = embeddings;
      this.arena = arena;
    }

    /**
     * The previous build, or null when there is none or it cannot be read. A previous build that
     * holds documents added over the API and cannot be read is an error: they must not be lost.
     */
    static Previous open(IndexLayout layout, String fingerprint, boolean force, Progress progress)
        throws IOException {
      Manifest manifest;
      IndexMeta meta;
      Path genDir;
      try {
        if (!Files.isRegularFile(layout.meta())) {
          return null;
        }
        meta = IndexMeta.read(layout.meta());
        genDir = layout.resolve(meta.passageSources().get(0).path()).getParent();
        manifest = Manifest.read(genDir.resolve(IndexLayout.MANIFEST));
      } catch (IOException | RuntimeException e) {
        // An unreadable previous build cannot be reused; this build starts from scratch.
        return null;
      }
      boolean reuse = !force && manifest.fingerprint().equals(fingerprint);
      if (!reuse && manifest.apiRowCount() == 0) {
        return null;
      }
      PassageStore passages;
      try {
        passages = PassageStore.open(layout.resolve(meta.passageSources().get(0).path()),
            layout.resolve(meta.passageSources().get(0).indexPath()));
      } catch (IOException | RuntimeException e) {
        if (manifest.apiRowCount() > 0) {
          throw new IOException("index '" + layout.name() + "' holds " + manifest.apiRowCount()
              + " passages of documents added over the API, and its passages cannot be read to keep them: "
              + e.getMessage(), e);
        }
        return null;
      }
      int gen = IndexDirectory.parseGeneration(genDir.getFileName().toString());
      Path copy = genDir.resolve(IndexLayout.EMBEDDING_CACHE);
      // Indexes built before the copy became optional kept one without saying so in the meta.
      boolean keptCopy = meta.keepsEmbeddingCopy() || Files.exists(copy);
      if (!reuse || !keptCopy) {
        return new Previous(gen, manifest, passages, reuse, keptCopy, null, null);
      }
      Arena arena = Arena.ofShared();
      try {
        MemorySegment embeddings = EmbeddingSpool.mapVerified(copy, passages.size(), meta.dimensions(), arena);
        return new Previous(gen, manifest, passages, true, true, embeddings, arena);
      } catch (IOException | RuntimeException e) {
        arena.close();
        progress.note("warning: the embedding cache of index '" + layout.name() + "' is not reused, every"
            + " passage is embedded again: " + (e instanceof IndexFormatException f
                ? layout.dir().relativize(f.file()) + " " + f.problem() : e.getMessage()));
        return new Previous(gen, manifest, passages, true, true, null, null);
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
