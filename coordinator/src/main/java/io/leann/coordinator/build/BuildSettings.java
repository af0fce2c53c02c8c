package io.leann.coordinator.build;

import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.text.TextAnalyzer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The settings an index is built with, whichever host builds it: the first build sets them (a
 * {@code leann build}'s flags, an API index's creation settings) and records them in the meta; every
 * later build reads them back from the meta with {@link #of(IndexMeta, Path, int, Integer)}, so the CLI,
 * the standalone server and the cluster chunk, embed and build graphs alike.
 *
 * <p>Immutable.
 *
 * @param embeddingMode provider name recorded in the meta
 * @param model the model id, as the embedder reports it
 * @param embeddingOptions what search needs to embed as the build did (server, prompt templates,
 *     {@code max_seq_length}, never a key); null for none
 * @param chunking chunk sizes and overlaps
 * @param graph the recipe of every shard graph (PQ bytes and hub budget included)
 * @param searchComplexity default search beam recorded in the meta
 * @param shards number of graphs the passages are split into (fewer when there are fewer passages)
 * @param textAnalyzer how the keyword index cuts passages and queries into words
 * @param keepEmbeddings keep a float32 copy of every embedding in the index ({@link IndexMeta#EMBEDDING_COPY}),
 *     so the next build re-embeds only what changed; without it the index holds no full-precision vectors
 */
public record BuildSettings(String embeddingMode, String model, Map<String, String> embeddingOptions,
    ChunkingOptions chunking, GraphBuild graph, int searchComplexity, int shards, TextAnalyzer textAnalyzer,
    boolean keepEmbeddings) {
  /** LEANN's build beam, for a meta that records none (the Python LEANN's). */
  public static final int DEFAULT_EF_CONSTRUCTION = 200;
  /** LEANN's graph degree, for a meta that records none. */
  public static final int DEFAULT_GRAPH_DEGREE = 32;
  /** LEANN's search beam, for a meta that records none. */
  public static final int DEFAULT_COMPLEXITY = 64;

  public BuildSettings {
    embeddingOptions = embeddingOptions == null || embeddingOptions.isEmpty() ? null
        : Collections.unmodifiableMap(new TreeMap<>(embeddingOptions));
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1: " + shards);
    }
    Objects.requireNonNull(textAnalyzer, "textAnalyzer");
  }

  /**
   * The settings the committed {@code meta} records; a meta that records no text analyzer was
   * built with {@link TextAnalyzer#LEGACY}.
   *
   * @param metaFile the file {@code meta} was read from, for errors
   * @param threads graph insertion threads of the building host (0: all its cores); not an index setting
   * @param shards the shard count asked for at creation, or null for the meta's
   */
  public static BuildSettings of(IndexMeta meta, Path metaFile, int threads, Integer shards)
      throws IndexFormatException {
    Map<String, Object> kwargs = meta.backendKwargs() == null ? Map.of() : meta.backendKwargs();
    GraphBuild graph = new GraphBuild(meta.metric().leannName(),
        intOr(kwargs.get("graph_degree"), DEFAULT_GRAPH_DEGREE),
        intOr(kwargs.get("ef_construction"), DEFAULT_EF_CONSTRUCTION), threads, meta.compact(), meta.pruned(),
        meta.pqBytes(), meta.hubBudget());
    int shardCount = shards != null ? shards : Math.max(1, meta.shards() == null ? 1 : meta.shards().size());
    TextAnalyzer analyzer = TextAnalyzer.recorded(meta, metaFile);
    return new BuildSettings(meta.embeddingMode(), meta.embeddingModel(), meta.embeddingOptions(),
        ChunkingOptions.recorded(kwargs), graph, intOr(kwargs.get("complexity"), DEFAULT_COMPLEXITY), shardCount,
        analyzer == null ? TextAnalyzer.LEGACY : analyzer, meta.keepsEmbeddingCopy());
  }

  /** These settings, keeping an embedding copy. */
  public BuildSettings withEmbeddingCopy() {
    return keepEmbeddings ? this : new BuildSettings(embeddingMode, model, embeddingOptions, chunking, graph,
        searchComplexity, shards, textAnalyzer, true);
  }

  /** Writes the settings that live in {@code backend_kwargs}. */
  void record(Map<String, Object> kwargs) {
    kwargs.put("complexity", searchComplexity);
    graph.record(kwargs);
    chunking.record(kwargs);
    kwargs.put(IndexMeta.TEXT_ANALYZER, textAnalyzer.id());
    if (keepEmbeddings) {
      kwargs.put(IndexMeta.EMBEDDING_COPY, "float32");
    }
  }

  private static int intOr(Object value, int fallback) {
    return value instanceof Number n ? n.intValue() : fallback;
  }
}
