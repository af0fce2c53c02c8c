package io.leann.coordinator.importer;

import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.search.Embedders;
import io.leann.coordinator.search.LocalIndex;
import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.protocol.Metric;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.PassageIndexBuilder;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.python.PythonLeannIndex;
import io.leann.protocol.python.PythonLeannMeta;
import io.leann.shard.faiss.FaissIndex;
import io.leann.shard.faiss.NativeGraphs;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code leann import}: makes an index built by the Python LEANN an index of ours, without
 * re-embedding anything. Either way the Python files are verified first (meta, pickle, jsonl, FAISS
 * graph, ids.txt; counts and dimensions must agree, the model must map to a provider) and the new
 * index is opened through the normal search path before the import reports success.
 *
 * <ul>
 *   <li><b>register</b> (default): the index directory gets our meta file and a generation
 *       directory of symbolic links to the Python files, which are served as they are (read-only:
 *       nothing writes to them; {@code leann remove} deletes the links, not the files);
 *   <li><b>convert</b>: the generation directory gets our own files: the passages copied byte for
 *       byte, our offset index, the node-to-id list and the graph in our format (same links, the
 *       vectors if the FAISS file had them). The Python index can then go.
 * </ul>
 *
 * <p>Crash safety: as for a build, the meta file is written last, atomically; until then the
 * index does not exist, and a failed import removes what it wrote. Stateless.
 */
public final class LeannImporter {
  private static final String GRAPH = IndexLayout.graphName(0, 1);
  private static final String IDS = IndexLayout.idsName(0, 1);

  private LeannImporter() {}

  /**
   * What was imported.
   *
   * @param name index name
   * @param converted whether our own files were written (otherwise the Python files are linked)
   * @param passages number of passages (= graph nodes)
   * @param embedding the provider the index is searched with
   */
  public record Outcome(String name, Path dir, boolean converted, long passages, int dimensions,
      Metric metric, boolean compact, boolean vectorsStored, EmbeddingMapping embedding) {}

  /**
   * Imports {@code source} as index {@code layout}.
   *
   * @param embedding our provider for the index's model (see {@link EmbeddingMapping#of})
   * @param env environment the embedder is created with (its keys and hosts)
   * @throws FileAlreadyExistsException if an index of that name exists
   * @throws IndexFormatException if a Python file is malformed or the files disagree
   * @throws IllegalArgumentException if the index's model cannot be computed by {@code embedding}
   */
  public static Outcome run(PythonLeannIndex source, IndexLayout layout, boolean convert,
      EmbeddingMapping embedding, Map<String, String> env) throws IOException {
    PythonLeannMeta py = source.meta();
    Metric metric = metric(source);
    boolean createdDir = !Files.exists(layout.dir());
    try (IndexDirectory.Writer writer = IndexDirectory.of(layout.dir()).lock(false);
        PassageStore passages = source.ids() == null ? PassageStore.open(source.passages(), source.offsets())
            : PassageStore.open(source.passages(), source.offsets(), source.ids());
        FaissIndex graph = FaissIndex.open(source.graph(), metric)) {
      if (Files.exists(layout.meta())) {
        throw new FileAlreadyExistsException(layout.dir().toString(), null, "an index named '" + layout.name()
            + "' already exists; remove it or import under another --name");
      }
      if (graph.size() != passages.size()) {
        throw new IndexFormatException(source.graph(), "holds " + graph.size() + " nodes but "
            + source.offsets() + " indexes " + passages.size() + " passages");
      }
      if (graph.dims() != py.dimensions()) {
        throw new IndexFormatException(source.graph(), "holds " + graph.dims() + "-d vectors but "
            + source.metaFile() + " says dimensions " + py.dimensions());
      }
      Path gen = writer.stage();
      IndexMeta meta = meta(source, embedding, metric, graph, convert, writer.generation());
      checkEmbedder(meta, env);
      if (convert) {
        convert(source, passages, graph, gen);
      } else {
        link(source, gen);
      }
      try (LocalIndex opened = LocalIndex.open(layout, meta)) {
        // Opened through the normal path before the meta is published: if this fails, nothing is registered.
        if (opened.passages().size() != passages.size()) {
          throw new IndexFormatException(layout.meta(), "the imported index holds " + opened.passages().size()
              + " passages, the source " + passages.size());
        }
      }
      writer.commit(meta);
      return new Outcome(layout.name(), layout.dir(), convert, passages.size(), graph.dims(), metric,
          convert || graph.compact(), graph.hasVectors(), embedding);
    } catch (IOException | RuntimeException e) {
      // The writer removed its staged generation; a directory this import created goes too.
      if (createdDir) {
        try {
          IndexDirectory.deleteTree(layout.dir());
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
  }

  /** The metric LEANN searched with: its meta's, checked against what the FAISS file stores. */
  private static Metric metric(PythonLeannIndex source) throws IndexFormatException {
    try {
      return Metric.parse(source.meta().distanceMetric());
    } catch (IllegalArgumentException e) {
      throw new IndexFormatException(source.metaFile(), "field backend_kwargs.distance_metric: " + e.getMessage());
    }
  }

  private static void checkEmbedder(IndexMeta meta, Map<String, String> env) {
    try (Embedder e = Embedders.forIndex(meta, env)) {
      // created and dimension-checked: the index can be searched
    } catch (EmbeddingException | IllegalStateException e) {
      throw new IllegalArgumentException("cannot embed for this index with " + meta.embeddingMode() + " model '"
          + meta.embeddingModel() + "': " + e.getMessage()
          + " (choose the provider with --embedding-mode/--embedding-model)", e);
    }
  }

  private static void link(PythonLeannIndex source, Path gen) throws IOException {
    link(gen.resolve(IndexLayout.PASSAGES), source.passages());
    link(gen.resolve(IndexLayout.PASSAGE_INDEX), source.offsets());
    link(gen.resolve(GRAPH), source.graph());
    if (source.ids() != null) {
      link(gen.resolve(IDS), source.ids());
    }
  }

  private static void link(Path link, Path target) throws IOException {
    try {
      Files.createSymbolicLink(link, target.toAbsolutePath());
    } catch (UnsupportedOperationException | IOException e) {
      throw new IOException("cannot link " + link + " to " + target + " (" + e.getMessage()
          + "); import with --convert to copy the index instead", e);
    }
  }

  private static void convert(PythonLeannIndex source, PassageStore pyPassages, FaissIndex graph, Path gen)
      throws IOException {
    Path jsonl = gen.resolve(IndexLayout.PASSAGES);
    AtomicFiles.write(jsonl, temp -> {
      // from a stream, so the copy gets default permissions rather than the source's (often read-only)
      try (InputStream in = Files.newInputStream(source.passages())) {
        Files.copy(in, temp);
      }
    });
    Path idx = gen.resolve(IndexLayout.PASSAGE_INDEX);
    long rows = PassageIndexBuilder.rebuild(jsonl, idx);
    try (PassageStore ours = PassageStore.open(jsonl, idx)) {
      if (rows != pyPassages.size()) {
        throw new IndexFormatException(source.passages(), "holds " + rows + " passage lines but "
            + source.offsets() + " indexes " + pyPassages.size() + ": the file has lines the index does not name");
      }
      for (long r = 0; r < rows; r++) {
        if (!ours.id(r).equals(pyPassages.id(r))) {
          throw new IndexFormatException(source.passages(), "line " + r + " holds passage '" + ours.id(r)
              + "' but graph row " + r + " is passage '" + pyPassages.id(r) + "'");
        }
      }
      IndexBuilder.writeIds(gen.resolve(IDS), ours, 0, rows);
    }
    NativeGraphs.write(graph, gen.resolve(GRAPH));
  }

  /** Our meta: LEANN's fields carried over, ours added, file names in the generation directory. */
  private static IndexMeta meta(PythonLeannIndex source, EmbeddingMapping embedding, Metric metric,
      FaissIndex graph, boolean convert, int gen) {
    PythonLeannMeta py = source.meta();
    Map<String, Object> kwargs = new LinkedHashMap<>(py.backendKwargs() == null ? Map.of() : py.backendKwargs());
    kwargs.put("distance_metric", metric.leannName());
    String ids = convert || source.ids() != null ? IndexLayout.inGeneration(gen, IDS) : null;
    IndexMeta.PassageSource passages = new IndexMeta.PassageSource("jsonl",
        IndexLayout.inGeneration(gen, IndexLayout.PASSAGES), IndexLayout.inGeneration(gen, IndexLayout.PASSAGE_INDEX),
        convert ? null : ids);
    return new IndexMeta(py.version() == null ? "1.0" : py.version(), "hnsw", embedding.model(), py.dimensions(),
        kwargs, embedding.mode(), options(py.embeddingOptions(), embedding), List.of(passages),
        convert || graph.compact(), !graph.hasVectors(), graph.size(), IndexMeta.FORMAT_VERSION,
        metric.leannName(), List.of(new IndexMeta.Shard(0, IndexLayout.inGeneration(gen, GRAPH), ids, 0, graph.size())));
  }

  /**
   * The Python embedding options as strings, without secrets (api keys stay in the environment),
   * and the local model's tokens per text when the import named them.
   */
  private static Map<String, String> options(Map<String, Object> options, EmbeddingMapping embedding) {
    Map<String, String> kept = new LinkedHashMap<>();
    if (options != null) {
      options.forEach((k, v) -> {
        String key = k.toLowerCase(Locale.ROOT);
        if (v != null && !key.contains("key") && !key.contains("token") && !key.contains("secret")) {
          kept.put(k, v.toString());
        }
      });
    }
    if (embedding.maxSeqLength() != null) {
      kept.put(EmbedderFactory.MAX_SEQ_LENGTH, String.valueOf(embedding.maxSeqLength()));
    }
    return kept.isEmpty() ? null : kept;
  }
}
