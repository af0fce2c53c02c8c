package io.leann.protocol.index;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.protocol.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code documents.leann.meta.json}: LEANN's fields, so users and the Python tools recognise an
 * index, plus ours ({@code format_version}, {@code distance_metric}, {@code shards}, {@code checksum}).
 * Unknown fields are ignored on read, so a meta file written by the Python LEANN parses too.
 *
 * @param version LEANN meta version, "1.0"
 * @param backendName "hnsw"
 * @param embeddingModel model id the index was embedded with; search must use the same
 * @param dimensions embedding dimensions
 * @param backendKwargs graph_degree, complexity, is_compact, is_recompute, num_threads, distance_metric
 * @param embeddingMode provider: sentence-transformers (local ONNX), openai, ollama, gemini
 * @param embeddingOptions provider options (base URL, host), never secrets
 * @param passageSources where the passages live, relative to the meta file
 * @param compact level 0 stored as CSR without padding
 * @param pruned graph pruned and embeddings dropped: search needs recomputation
 * @param totalPassages number of passages
 * @param formatVersion our index format version
 * @param distanceMetric l2, mips or cosine
 * @param shards the graph files, each covering a contiguous range of passage rows
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IndexMeta(
    @JsonProperty("version") String version,
    @JsonProperty("backend_name") String backendName,
    @JsonProperty("embedding_model") String embeddingModel,
    @JsonProperty("dimensions") int dimensions,
    @JsonProperty("backend_kwargs") Map<String, Object> backendKwargs,
    @JsonProperty("embedding_mode") String embeddingMode,
    @JsonProperty("embedding_options") Map<String, String> embeddingOptions,
    @JsonProperty("passage_sources") List<PassageSource> passageSources,
    @JsonProperty("is_compact") boolean compact,
    @JsonProperty("is_pruned") boolean pruned,
    @JsonProperty("total_passages") long totalPassages,
    @JsonProperty("format_version") Integer formatVersion,
    @JsonProperty("distance_metric") String distanceMetric,
    @JsonProperty("shards") List<Shard> shards) {

  /**
   * Our index format: 2 added the per-passage checksums of the offset index and the meta's own
   * {@value #CHECKSUM}. Version 1 indexes are refused with a request to rebuild.
   */
  public static final int FORMAT_VERSION = 2;
  /** {@code backend_kwargs} key: bytes of PQ code per passage, 0 for none (absent: the default codes). */
  public static final String PQ_BYTES = "pq_bytes";
  /** {@code backend_kwargs} key: share of the embeddings kept as exact hub embeddings (absent: none). */
  public static final String HUB_BUDGET = "hub_budget";
  /**
   * {@code backend_kwargs} key: the analyzer of the Lucene keyword index ({@code standard},
   * {@code cjk}, {@code exact}); absent in indexes built before it, which have none.
   */
  public static final String TEXT_ANALYZER = "text_analyzer";
  /**
   * {@code backend_kwargs} key: what stands in for the embeddings during search, one entry per
   * distinct shard shape: {@code "pq 32x8b"}, {@code "vectors f32"} or {@code "no pq"} (a pruned
   * graph searched by recompute alone); absent: not recorded.
   */
  public static final String VECTOR_CODES = "vector_codes";
  /**
   * {@code backend_kwargs} key: the element type of the full-precision embedding copy the index
   * keeps for incremental builds ({@code "float32"}); absent when it keeps none (the default).
   */
  public static final String EMBEDDING_COPY = "embedding_copy";
  /** {@code embedding_options} key: tokens per text the local model sees (absent: the model's default). */
  public static final String MAX_SEQ_LENGTH = "max_seq_length";

  /**
   * The meta's own checksum field, {@code "crc32c:<8 hex digits>"}: CRC32C of the meta serialised
   * without it. Not a record component: it describes the file, not the index.
   */
  static final String CHECKSUM = "checksum";
  private static final String CHECKSUM_PREFIX = "crc32c:";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /**
   * One passage source, LEANN's shape.
   *
   * @param type "jsonl"
   * @param path passages file, relative to the meta file
   * @param indexPath offset index, relative to the meta file: ours, or the Python LEANN's pickle
   * @param idsPath for a Python LEANN store, its {@code ids.txt} (graph row to passage id); null when
   *     row {@code i} is passage id {@code str(i)}, and for our stores, whose ids are in the jsonl
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PassageSource(
      @JsonProperty("type") String type,
      @JsonProperty("path") String path,
      @JsonProperty("index_path") String indexPath,
      @JsonProperty("ids_path") String idsPath) {

    /** A source whose row ids are those in the jsonl. */
    public PassageSource(String type, String path, String indexPath) {
      this(type, path, indexPath, null);
    }
  }

  /**
   * One graph shard.
   *
   * @param id shard number, 0-based
   * @param graph graph file name
   * @param ids node-to-passage-id file name
   * @param firstRow passage row of the shard's node 0
   * @param count nodes in the shard
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Shard(
      @JsonProperty("id") int id,
      @JsonProperty("graph") String graph,
      @JsonProperty("ids") String ids,
      @JsonProperty("first_row") long firstRow,
      @JsonProperty("count") int count) {}

  /**
   * Reads a meta file; a missing or malformed file fails with its path in the message. A meta of
   * ours (one with a {@code format_version}) must be of {@link #FORMAT_VERSION} and match its
   * checksum; the Python LEANN's (no {@code format_version}) parses as it is, for the import path.
   *
   * @throws IndexFormatException if the file is malformed, of another format version, or altered
   */
  public static IndexMeta read(Path file) throws IOException {
    try {
      JsonNode tree = JSON.readTree(Files.readAllBytes(file));
      if (!(tree instanceof ObjectNode object)) {
        throw new IndexFormatException(file, "malformed index metadata: not a JSON object");
      }
      JsonNode stored = object.remove(CHECKSUM);
      IndexMeta meta = JSON.treeToValue(object, IndexMeta.class);
      if (meta.formatVersion() != null && meta.formatVersion() != FORMAT_VERSION) {
        throw new IndexFormatException(file, meta.formatVersion() == 1
            ? "format_version 1 was written by an earlier LEANN without checksums; rebuild the index"
                + " (leann build --force) to serve it"
            : "unsupported format_version " + meta.formatVersion() + " (this build reads " + FORMAT_VERSION + ")");
      }
      if (stored != null || meta.formatVersion() != null) {
        String expected = meta.checksum();
        if (stored == null || !expected.equals(stored.asText())) {
          throw new IndexFormatException(file, stored == null ? "has no checksum"
              : "checksum mismatch (" + stored.asText() + " stored, " + expected
                  + " computed): the file was altered after it was written");
        }
      }
      return meta;
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "index metadata not found");
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IndexFormatException(file, "malformed index metadata: " + e.getOriginalMessage());
    }
  }

  /** Writes the meta file atomically, with its checksum. */
  public void write(Path file) throws IOException {
    ObjectNode tree = JSON.valueToTree(this);
    tree.put(CHECKSUM, checksum());
    AtomicFiles.write(file, JSON.writeValueAsBytes(tree));
  }

  /**
   * {@code "crc32c:<hex>"} of this meta's canonical JSON (what {@link #write} writes, without the
   * checksum). A meta read back serialises to the same bytes, since Jackson keeps map order and
   * number types, so the value does not depend on formatting of the file it was read from.
   */
  String checksum() {
    CRC32C crc = new CRC32C();
    try {
      crc.update(JSON.writeValueAsBytes(JSON.valueToTree(this)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("index metadata cannot be serialised", e);
    }
    return CHECKSUM_PREFIX + String.format("%08x", crc.getValue());
  }

  /** The metric, from our field or from LEANN's backend_kwargs; LEANN's default is mips. */
  public Metric metric() {
    if (distanceMetric != null) {
      return Metric.parse(distanceMetric);
    }
    Object fromKwargs = backendKwargs == null ? null : backendKwargs.get("distance_metric");
    return fromKwargs == null ? Metric.INNER_PRODUCT
        : Metric.parse(fromKwargs.toString());
  }

  /** Bytes of PQ code per passage the index was built with: 0 for none, null when not recorded (the default). */
  @JsonIgnore
  public Integer pqBytes() {
    Object v = backendKwargs == null ? null : backendKwargs.get(PQ_BYTES);
    return v instanceof Number n ? Integer.valueOf(n.intValue()) : null;
  }

  /** What stands in for the embeddings during search ({@link #VECTOR_CODES}), or null when not recorded. */
  @JsonIgnore
  public String vectorCodes() {
    Object v = backendKwargs == null ? null : backendKwargs.get(VECTOR_CODES);
    return v == null ? null : v.toString();
  }

  /** Whether the index keeps a full-precision embedding copy for incremental builds ({@link #EMBEDDING_COPY}). */
  @JsonIgnore
  public boolean keepsEmbeddingCopy() {
    return backendKwargs != null && backendKwargs.get(EMBEDDING_COPY) != null;
  }

  /** The hub budget the index was built with; 0 when not recorded. */
  @JsonIgnore
  public double hubBudget() {
    Object v = backendKwargs == null ? null : backendKwargs.get(HUB_BUDGET);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  /** The name of the keyword index's analyzer, or null when the index records none. */
  @JsonIgnore
  public String textAnalyzer() {
    Object v = backendKwargs == null ? null : backendKwargs.get(TEXT_ANALYZER);
    return v == null ? null : v.toString();
  }

  /**
   * Tokens per text the index's texts were embedded with (queries and recomputed passages must be
   * embedded alike), or null for the model's default.
   *
   * @throws IllegalArgumentException if the recorded value is not a number
   */
  @JsonIgnore
  public Integer maxSeqLength() {
    return maxSeqLength(embeddingOptions);
  }

  /**
   * The {@value #MAX_SEQ_LENGTH} of embedding options in the meta's shape, or null when they have none.
   *
   * @throws IllegalArgumentException if the recorded value is not a number
   */
  public static Integer maxSeqLength(Map<String, String> embeddingOptions) {
    String v = embeddingOptions == null ? null : embeddingOptions.get(MAX_SEQ_LENGTH);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("embedding option " + MAX_SEQ_LENGTH + " is not a number: '" + v + "'");
    }
  }
}
