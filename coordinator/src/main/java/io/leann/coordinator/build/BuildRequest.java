package io.leann.coordinator.build;

import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.protocol.Metric;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.text.TextAnalyzer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code leann build} was asked to do.
 *
 * @param layout where the index lives
 * @param docs files and directories to index
 * @param loader file selection (types, hidden, .gitignore)
 * @param chunking chunk sizes and overlaps
 * @param embeddingMode provider name recorded in meta
 * @param metric distance metric (cosine for normalised sentence embeddings)
 * @param graphDegree HNSW M (level 0 keeps 2M)
 * @param efConstruction HNSW build beam
 * @param searchComplexity default search ef recorded in meta
 * @param threads graph build threads
 * @param compact CSR level 0 without padding
 * @param recompute prune the graph and drop the embeddings (LEANN's default)
 * @param shards number of graphs the passages are split into
 * @param force rebuild everything, ignoring what the previous build left
 * @param embedBatch texts per embedding call
 * @param args the command-line arguments, recorded so {@code leann watch} can repeat the build
 * @param pqBytes bytes of PQ code per passage for the two-level search of a recompute index; null
 *     for a PQ sized to the corpus, 0 for no PQ
 * @param hubBudget share of the float embeddings' bytes kept as exact hub embeddings, in [0, 1]
 * @param textAnalyzer how the keyword index cuts passages and queries into words
 * @param keepEmbeddings keep a float32 copy of every embedding in the index, so the next build
 *     re-embeds only changed files (otherwise it re-embeds every passage, the price of the small index)
 */
public record BuildRequest(
    IndexLayout layout,
    List<Path> docs,
    LoaderOptions loader,
    ChunkingOptions chunking,
    String embeddingMode,
    Metric metric,
    int graphDegree,
    int efConstruction,
    int searchComplexity,
    int threads,
    boolean compact,
    boolean recompute,
    int shards,
    boolean force,
    int embedBatch,
    List<String> args,
    Integer pqBytes,
    double hubBudget,
    TextAnalyzer textAnalyzer,
    boolean keepEmbeddings) {

  /** A request with the default PQ codes, no hub embeddings and the default text analyzer. */
  public BuildRequest(IndexLayout layout, List<Path> docs, LoaderOptions loader, ChunkingOptions chunking,
      String embeddingMode, Metric metric, int graphDegree, int efConstruction, int searchComplexity,
      int threads, boolean compact, boolean recompute, int shards, boolean force, int embedBatch,
      List<String> args) {
    this(layout, docs, loader, chunking, embeddingMode, metric, graphDegree, efConstruction, searchComplexity,
        threads, compact, recompute, shards, force, embedBatch, args, null, 0, TextAnalyzer.DEFAULT, false);
  }

  /** A request that keeps no embedding copy. */
  public BuildRequest(IndexLayout layout, List<Path> docs, LoaderOptions loader, ChunkingOptions chunking,
      String embeddingMode, Metric metric, int graphDegree, int efConstruction, int searchComplexity,
      int threads, boolean compact, boolean recompute, int shards, boolean force, int embedBatch,
      List<String> args, Integer pqBytes, double hubBudget, TextAnalyzer textAnalyzer) {
    this(layout, docs, loader, chunking, embeddingMode, metric, graphDegree, efConstruction, searchComplexity,
        threads, compact, recompute, shards, force, embedBatch, args, pqBytes, hubBudget, textAnalyzer, false);
  }

  public BuildRequest {
    Objects.requireNonNull(textAnalyzer, "textAnalyzer");
    docs = List.copyOf(docs);
    args = List.copyOf(args);
    if (docs.isEmpty()) {
      throw new IllegalArgumentException("nothing to index: give --docs <paths>");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("--shards must be at least 1: " + shards);
    }
    if (embedBatch < 1) {
      throw new IllegalArgumentException("embedding batch must be positive: " + embedBatch);
    }
    // graph degree, PQ bytes and hub budget are checked by the graph recipe
    new GraphBuild(metric.leannName(), graphDegree, efConstruction, threads, compact, recompute, pqBytes, hubBudget);
  }

  /** The recipe of this build's shard graphs, the one the cluster's shard nodes follow too. */
  public GraphBuild graph() {
    return new GraphBuild(metric.leannName(), graphDegree, efConstruction, threads, compact, recompute, pqBytes,
        hubBudget);
  }
}
