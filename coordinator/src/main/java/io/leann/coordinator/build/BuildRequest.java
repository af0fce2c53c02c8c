package io.leann.coordinator.build;

import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.protocol.Metric;
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
    List<String> args) {

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
  }
}
