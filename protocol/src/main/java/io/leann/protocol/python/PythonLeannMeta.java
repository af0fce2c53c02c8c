package io.leann.protocol.python;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.leann.protocol.index.IndexFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code <index>.leann.meta.json} the Python LEANN writes ({@code api.py build_index}), every
 * field it may hold (reference/leann.md §1). Fields written by later versions that are not listed
 * here are ignored.
 *
 * @param version "1.0"
 * @param backendName "hnsw" (the only backend imported), "diskann", "ivf", ...
 * @param embeddingModel e.g. "facebook/contriever", "sentence-transformers/all-MiniLM-L6-v2"
 * @param dimensions embedding dimensions
 * @param backendKwargs graph_degree, complexity, is_compact, is_recompute, num_threads, distance_metric
 * @param embeddingMode sentence-transformers, openai, ollama, mlx, gemini
 * @param passageSources where the passages are
 * @param compact {@code is_compact}: the graph is in the compact CSR layout
 * @param pruned {@code is_pruned}: the embeddings were dropped, search must recompute
 * @param embeddingOptions host, base_url, api_key, prompt templates (newer versions)
 * @param builtFromPrecomputedEmbeddings newer versions, when built from an embeddings pickle
 * @param embeddingsSource the path of that pickle
 * @param totalPassages newer versions, after {@code update_index}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PythonLeannMeta(
    @JsonProperty("version") String version,
    @JsonProperty("backend_name") String backendName,
    @JsonProperty("embedding_model") String embeddingModel,
    @JsonProperty("dimensions") Integer dimensions,
    @JsonProperty("backend_kwargs") Map<String, Object> backendKwargs,
    @JsonProperty("embedding_mode") String embeddingMode,
    @JsonProperty("passage_sources") List<Source> passageSources,
    @JsonProperty("is_compact") Boolean compact,
    @JsonProperty("is_pruned") Boolean pruned,
    @JsonProperty("embedding_options") Map<String, Object> embeddingOptions,
    @JsonProperty("built_from_precomputed_embeddings") Boolean builtFromPrecomputedEmbeddings,
    @JsonProperty("embeddings_source") String embeddingsSource,
    @JsonProperty("total_passages") Long totalPassages) {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * One passage source.
   *
   * @param type "jsonl"
   * @param path the jsonl, as written (absolute in older versions)
   * @param indexPath the pickled offsets, as written
   * @param pathRelative the jsonl relative to the meta file (newer versions)
   * @param indexPathRelative the offsets relative to the meta file (newer versions)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Source(
      @JsonProperty("type") String type,
      @JsonProperty("path") String path,
      @JsonProperty("index_path") String indexPath,
      @JsonProperty("path_relative") String pathRelative,
      @JsonProperty("index_path_relative") String indexPathRelative) {}

  /**
   * Reads and checks a meta file: the fields an import needs must be present and sane.
   *
   * @throws IndexFormatException naming the file and the field that is missing or malformed
   */
  public static PythonLeannMeta read(Path file) throws IOException {
    PythonLeannMeta meta;
    try {
      meta = JSON.readValue(Files.readAllBytes(file), PythonLeannMeta.class);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "Python LEANN meta file not found");
    } catch (MismatchedInputException e) {
      String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName()
          : "[" + r.getIndex() + "]").collect(Collectors.joining("."));
      throw new IndexFormatException(file, "field " + (field.isEmpty() ? "(top level)" : field)
          + " is malformed: " + e.getOriginalMessage());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IndexFormatException(file, "malformed JSON: " + e.getOriginalMessage());
    }
    if (meta == null) {
      throw new IndexFormatException(file, "is JSON null, not a LEANN meta object");
    }
    return meta.validate(file);
  }

  private PythonLeannMeta validate(Path file) throws IndexFormatException {
    if (backendName == null) {
      throw new IndexFormatException(file, "field backend_name is missing");
    }
    if (!"hnsw".equals(backendName)) {
      throw new IndexFormatException(file, "field backend_name is '" + backendName
          + "': only indexes of the Python LEANN's hnsw backend can be imported");
    }
    if (dimensions == null || dimensions < 1) {
      throw new IndexFormatException(file, "field dimensions is " + (dimensions == null ? "missing" : dimensions));
    }
    if (embeddingModel == null || embeddingModel.isBlank()) {
      throw new IndexFormatException(file, "field embedding_model is missing");
    }
    if (passageSources == null || passageSources.isEmpty()) {
      throw new IndexFormatException(file, "field passage_sources is missing or empty");
    }
    if (passageSources.size() > 1) {
      throw new IndexFormatException(file, "field passage_sources has " + passageSources.size()
          + " entries; importing supports one passage source");
    }
    Source s = passageSources.get(0);
    if (s == null || !"jsonl".equals(s.type())) {
      throw new IndexFormatException(file, "field passage_sources[0].type is "
          + (s == null ? "missing" : "'" + s.type() + "'") + ", expected jsonl");
    }
    if (s.path() == null && s.pathRelative() == null) {
      throw new IndexFormatException(file, "field passage_sources[0].path is missing");
    }
    return this;
  }

  /** Whether the graph is compact: {@code is_compact}, else {@code backend_kwargs.is_compact}. */
  public boolean isCompact() {
    return compact != null ? compact : flag("is_compact");
  }

  /** Whether the embeddings were dropped: {@code is_pruned}, else compact and recompute. */
  public boolean isPruned() {
    return pruned != null ? pruned : isCompact() && flag("is_recompute");
  }

  /** The distance metric LEANN used: {@code backend_kwargs.distance_metric}, default mips. */
  public String distanceMetric() {
    Object m = backendKwargs == null ? null : backendKwargs.get("distance_metric");
    return m == null ? "mips" : m.toString();
  }

  private boolean flag(String key) {
    Object v = backendKwargs == null ? null : backendKwargs.get(key);
    return v instanceof Boolean b ? b : false;
  }
}
