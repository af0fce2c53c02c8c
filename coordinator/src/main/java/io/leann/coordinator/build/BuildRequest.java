package io.leann.coordinator.build;

import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.protocol.Metric;
import io.leann.shard.pq.PqParams;
import java.nio.file.Path;
import java.util.List;

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
 *     for the default (1/48 of the float vector: 32 for 384 dimensions), 0 for no PQ
 * @param hubBudget share of the float embeddings' bytes kept as exact hub embeddings, in [0, 1]
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
    double hubBudget) {

  /** A request with the default PQ codes and no hub embeddings. */
  public BuildRequest(IndexLayout layout, List<Path> docs, LoaderOptions loader, ChunkingOptions chunking,
      String embeddingMode, Metric metric, int graphDegree, int efConstruction, int searchComplexity,
      int threads, boolean compact, boolean recompute, int shards, boolean force, int embedBatch,
      List<String> args) {
    this(layout, docs, loader, chunking, embeddingMode, metric, graphDegree, efConstruction, searchComplexity,
        threads, compact, recompute, shards, force, embedBatch, args, null, 0);
  }

  public BuildRequest {
    docs = List.copyOf(docs);
    args = List.copyOf(args);
    if (docs.isEmpty()) {
      throw new IllegalArgumentException("nothing to index: give --docs <paths>");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("--shards must be at least 1: " + shards);
    }
    if (graphDegree < 2) {
      throw new IllegalArgumentException("--graph-degree must be at least 2: " + graphDegree);
    }
    if (embedBatch < 1) {
      throw new IllegalArgumentException("embedding batch must be positive: " + embedBatch);
    }
    if (pqBytes != null && pqBytes < 0) {
      throw new IllegalArgumentException("--pq-bytes must not be negative: " + pqBytes);
    }
    if (!(hubBudget >= 0 && hubBudget <= 1)) {
      throw new IllegalArgumentException("--hub-budget must be a share in [0, 1] of the embeddings: " + hubBudget);
    }
  }

  /**
   * The PQ parameters for {@code dims}-dimensional vectors, or null for none: the largest subspace
   * count that divides {@code dims} and gives at most the asked bytes.
   *
   * @throws IllegalArgumentException if the asked bytes exceed the dimensions
   */
  public PqParams pqParams(int dims) {
    if (!recompute || (pqBytes != null && pqBytes == 0)) {
      return null;
    }
    if (pqBytes == null) {
      return PqParams.forDims(dims);
    }
    if (pqBytes > dims) {
      throw new IllegalArgumentException("--pq-bytes " + pqBytes + " exceeds the " + dims
          + " dimensions (a one-byte code covers at least one dimension)");
    }
    return PqParams.forDims(dims, Float.BYTES * dims / pqBytes);
  }
}
