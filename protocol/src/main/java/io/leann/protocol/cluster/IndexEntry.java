package io.leann.protocol.cluster;

import io.leann.protocol.api.IndexInfo;
import java.util.Map;

/**
 * An index as the cluster-wide registry records it: what {@code GET /indexes} shows plus what a
 * coordinator needs to search and extend it (embedding mode, build settings, the generation that
 * is live).
 *
 * <p>Invariants: {@code generation} is null exactly while the index has never been published
 * (status {@link #EMPTY}, or {@link #BUILDING}/{@link #FAILED} on its first build); otherwise it is
 * the {@code passage_sources[0].path} of the committed meta file, which names the generation
 * directory, so two entries with equal generations describe the same files. {@code shards} is the
 * shard count of the published generation, or the requested count before the first publication.
 *
 * @param name index name
 * @param status {@link #READY}, {@link #BUILDING}, {@link #EMPTY} or {@link #FAILED}
 * @param shards number of graph shards
 * @param model embedding model id
 * @param embeddingMode embedding provider (sentence-transformers, openai, ollama, gemini)
 * @param dimensions embedding dimensions, 0 before the first build
 * @param metric l2, mips or cosine
 * @param compact CSR graph without padding
 * @param recompute graph pruned and embeddings dropped: searches recompute
 * @param graphDegree HNSW M used for builds
 * @param complexity default search beam (ef)
 * @param passages passages in the published generation
 * @param generation meta's passage source path of the published generation, or null
 * @param error why the last build failed, or null
 * @param embeddingOptions the meta's {@code embedding_options} (server, prompt templates; never a
 *     key), or null: queries and ingested passages are embedded with its templates
 * @param maxSeqLength the {@code max_seq_length} embedding option of the published meta (tokens per
 *     text, which queries and recomputed passages must be embedded with too), or null for the model's default
 */
public record IndexEntry(
    String name,
    String status,
    int shards,
    String model,
    String embeddingMode,
    int dimensions,
    String metric,
    boolean compact,
    boolean recompute,
    int graphDegree,
    int complexity,
    long passages,
    String generation,
    String error,
    Map<String, String> embeddingOptions, Integer maxSeqLength) implements CborSerializable {

  public static final String READY = "ready";
  public static final String BUILDING = "building";
  public static final String EMPTY = "empty";
  public static final String FAILED = "failed";

  /** What the REST API shows. */
  public IndexInfo toInfo() {
    return new IndexInfo(name, passages, shards, model, dimensions, metric, compact, recompute, status);
  }

  /** This entry with another status and error, the published generation unchanged. */
  public IndexEntry withStatus(String newStatus, String newError) {
    return new IndexEntry(name, newStatus, shards, model, embeddingMode, dimensions, metric, compact,
        recompute, graphDegree, complexity, passages, generation, newError, embeddingOptions, maxSeqLength);
  }
}
