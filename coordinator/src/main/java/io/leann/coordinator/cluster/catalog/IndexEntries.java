package io.leann.coordinator.cluster.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registry entries from what is on disk and from what the API asks for.
 *
 * <p>An index built by {@code leann build} or by an ingest job is described by its meta file. An
 * index created through the API but not yet filled has no meta file; its settings are kept in
 * {@value #SETTINGS_FILE} in its directory, so that it survives a restart of the whole cluster
 * and its first ingest knows how to build. Stateless.
 */
public final class IndexEntries {
  /** The API settings of an index, next to its meta file. */
  static final String SETTINGS_FILE = "leann.settings.json";

  static final String LOCAL_MODE = "sentence-transformers";
  static final int DEFAULT_GRAPH_DEGREE = 32;
  static final int DEFAULT_COMPLEXITY = 64;
  static final int MAX_SHARDS = 256;

  private static final Logger log = LoggerFactory.getLogger(IndexEntries.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private IndexEntries() {}

  /** The entry of a published index, from its meta file. */
  public static IndexEntry fromMeta(String name, IndexMeta meta) {
    Map<String, Object> kwargs = meta.backendKwargs() == null ? Map.of() : meta.backendKwargs();
    return new IndexEntry(name, IndexEntry.READY, meta.shards().size(), meta.embeddingModel(),
        meta.embeddingMode() == null ? LOCAL_MODE : meta.embeddingMode(), meta.dimensions(),
        meta.metric().leannName(), meta.compact(), meta.pruned(),
        intOr(kwargs.get("graph_degree"), DEFAULT_GRAPH_DEGREE),
        intOr(kwargs.get("complexity"), DEFAULT_COMPLEXITY), meta.totalPassages(),
        meta.passageSources().get(0).path(), null, meta.embeddingOptions(), meta.maxSeqLength());
  }

  private static int intOr(Object value, int fallback) {
    return value instanceof Number n ? n.intValue() : fallback;
  }

  /**
   * The entry of a new, empty index with {@code settings} (null fields take the defaults: local
   * all-MiniLM-L6-v2, cosine, 1 shard, compact, recompute, degree 32).
   *
   * @throws ApiException 400 naming the bad field
   */
  static IndexEntry fromSettings(String name, IndexSettings settings, Map<String, String> env) {
    IndexSettings s = settings == null ? new IndexSettings(null, null, null, null, null, null, null)
        : settings;
    String mode = s.embeddingMode() == null || s.embeddingMode().isBlank() ? LOCAL_MODE
        : s.embeddingMode().strip().toLowerCase(Locale.ROOT);
    String model;
    try {
      // Builds no model for the local mode (the shipped one is the only choice) and none remotely
      // either: the remote providers only check their keys and endpoints when created.
      model = mode.equals(LOCAL_MODE) || mode.equals("onnx")
          ? localModel(s.model())
          : remoteModel(mode, s.model(), env);
    } catch (EmbeddingException e) {
      throw ApiException.badRequest(s.model() == null ? "embedding_mode" : "model", e.getMessage());
    }
    String metric;
    try {
      metric = s.metric() == null ? Metric.COSINE.leannName() : Metric.parse(s.metric()).leannName();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("metric", e.getMessage());
    }
    int shards = Objects.requireNonNullElse(s.shards(), 1);
    if (shards < 1 || shards > MAX_SHARDS) {
      throw ApiException.badRequest("shards", "must be in [1, " + MAX_SHARDS + "]");
    }
    int degree = Objects.requireNonNullElse(s.graphDegree(), DEFAULT_GRAPH_DEGREE);
    if (degree < 2 || degree > 512) {
      throw ApiException.badRequest("graph_degree", "must be in [2, 512]");
    }
    TextAnalyzer.ofSettings(s);
    return new IndexEntry(name, IndexEntry.EMPTY, shards, model, mode, 0, metric,
        Objects.requireNonNullElse(s.compact(), true), Objects.requireNonNullElse(s.recompute(), true),
        degree, DEFAULT_COMPLEXITY, 0, null, null, null, null);
  }

  private static String localModel(String requested) {
    if (requested != null && !requested.isBlank()
        && !List.of(OnnxEmbedder.MODEL_ID, "all-MiniLM-L6-v2").contains(requested.strip())) {
      throw new EmbeddingException("model '" + requested + "' is not available locally: the only local model is "
          + OnnxEmbedder.MODEL_ID);
    }
    return OnnxEmbedder.MODEL_ID;
  }

  private static String remoteModel(String mode, String requested, Map<String, String> env) {
    try (var embedder = EmbedderFactory.create(mode, requested, env)) {
      return embedder.modelId();
    }
  }

  /**
   * Whether the fields {@code settings} sets ({@code resolved} is them with defaults filled in) ask
   * for nothing that {@code existing} does not already have; unset fields ask for nothing.
   *
   * @param existingShards the shard count {@code existing} was asked for ({@link #requestedShards})
   * @param existingAnalyzer the text analyzer of {@code existing} ({@link #textAnalyzer(IndexLayout)})
   */
  static boolean compatible(IndexEntry existing, int existingShards, TextAnalyzer existingAnalyzer,
      IndexSettings settings, IndexEntry resolved) {
    if (settings == null) {
      return true;
    }
    return (settings.embeddingMode() == null || existing.embeddingMode().equals(resolved.embeddingMode()))
        && (settings.model() == null || existing.model().equals(resolved.model()))
        && (settings.metric() == null || existing.metric().equals(resolved.metric()))
        && (settings.shards() == null || existingShards == resolved.shards())
        && (settings.compact() == null || existing.compact() == resolved.compact())
        && (settings.recompute() == null || existing.recompute() == resolved.recompute())
        && (settings.graphDegree() == null || existing.graphDegree() == resolved.graphDegree())
        && (settings.textAnalyzer() == null || existingAnalyzer == TextAnalyzer.ofSettings(settings));
  }

  /**
   * The text analyzer of the index in {@code layout}: the one its meta records ({@link
   * TextAnalyzer#LEGACY} for a meta from before analyzers were recorded), else the one its
   * settings file asks for, else the default.
   */
  public static TextAnalyzer textAnalyzer(IndexLayout layout) throws IOException {
    if (Files.isRegularFile(layout.meta())) {
      TextAnalyzer recorded = TextAnalyzer.recorded(IndexMeta.read(layout.meta()), layout.meta());
      return recorded == null ? TextAnalyzer.LEGACY : recorded;
    }
    Path settings = layout.dir().resolve(SETTINGS_FILE);
    if (!Files.isRegularFile(settings)) {
      return TextAnalyzer.DEFAULT;
    }
    return TextAnalyzer.ofSettings(JSON.readValue(Files.readAllBytes(settings), IndexSettings.class));
  }

  /** Records the settings of an index created through the API, atomically. */
  static void writeSettings(IndexLayout layout, IndexEntry entry, TextAnalyzer textAnalyzer) throws IOException {
    Files.createDirectories(layout.dir());
    IndexSettings settings = new IndexSettings(entry.embeddingMode(), entry.model(), entry.metric(),
        entry.shards(), entry.compact(), entry.recompute(), entry.graphDegree(), null, textAnalyzer.id());
    AtomicFiles.write(layout.dir().resolve(SETTINGS_FILE),
        JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings));
  }

  /**
   * The shard count asked for when the index was created through the API, from its settings file;
   * {@code published} for an index without one (built by the CLI). A build may publish fewer
   * shards than asked for (never more than passages), so the request is kept apart from the entry.
   */
  public static int requestedShards(IndexLayout layout, int published) throws IOException {
    Path settings = layout.dir().resolve(SETTINGS_FILE);
    if (!Files.isRegularFile(settings)) {
      return published;
    }
    Integer shards = JSON.readValue(Files.readAllBytes(settings), IndexSettings.class).shards();
    return shards == null ? published : shards;
  }

  /**
   * The entry {@code name} would have if it were read from {@code layout}: from its meta file, else
   * from its settings file; null when the directory holds neither.
   */
  static IndexEntry read(IndexLayout layout, Map<String, String> env) throws IOException {
    if (Files.isRegularFile(layout.meta())) {
      return fromMeta(layout.name(), IndexMeta.read(layout.meta()));
    }
    Path settings = layout.dir().resolve(SETTINGS_FILE);
    if (Files.isRegularFile(settings)) {
      return fromSettings(layout.name(), JSON.readValue(Files.readAllBytes(settings), IndexSettings.class), env);
    }
    return null;
  }

  /** Every index under the root of {@code disk}; unreadable ones are logged and left out. */
  static List<IndexEntry> scan(IndexRegistry disk, Map<String, String> env) throws IOException {
    List<IndexEntry> entries = new ArrayList<>();
    if (!Files.isDirectory(disk.root())) {
      return entries;
    }
    try (Stream<Path> dirs = Files.list(disk.root())) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        try {
          IndexEntry entry = read(disk.layout(dir.getFileName().toString()), env);
          if (entry != null) {
            entries.add(entry);
          }
        } catch (IOException | RuntimeException e) {
          log.warn("skipping index directory {}: {}", dir, e.getMessage());
        }
      }
    }
    return entries;
  }
}
