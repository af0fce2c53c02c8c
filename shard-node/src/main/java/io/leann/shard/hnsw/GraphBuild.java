package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.pq.PqParams;
import io.leann.shard.vector.ArrayVectors;
import java.util.Map;

/**
 * How one shard graph of an index is built: the one recipe the CLI build ({@code IndexBuilder}) and
 * the cluster's shard nodes ({@code ShardActor.BuildGraph}) both follow, so an index's graph
 * settings mean the same wherever its graphs are built. The settings that shape the graph beyond
 * HNSW's own ({@code pq_bytes}, {@code hub_budget}) are recorded in the meta's {@code backend_kwargs}
 * by {@link #record} and read back by {@link IndexMeta#pqBytes()} and {@link IndexMeta#hubBudget()}.
 *
 * <p>Immutable; a record so it travels inside cluster messages.
 *
 * @param metric l2, mips or cosine (LEANN's names)
 * @param graphDegree HNSW M (level 0 keeps 2M)
 * @param efConstruction HNSW build beam
 * @param threads insertion threads; 0 uses every core of the machine that builds
 * @param compact CSR level 0 without padding
 * @param recompute prune the graph and drop the embeddings (LEANN's default)
 * @param pqBytes bytes of PQ code per passage for the two-level search of a recompute index; null for
 *     the default (1/48 of the float vector: 32 for 384 dimensions), 0 for no PQ
 * @param hubBudget share of the float embeddings' bytes kept as exact hub embeddings, in [0, 1];
 *     applies to recompute indexes only
 */
public record GraphBuild(String metric, int graphDegree, int efConstruction, int threads, boolean compact,
    boolean recompute, Integer pqBytes, double hubBudget) {

  public GraphBuild {
    Metric.parse(metric);
    if (graphDegree < 2) {
      throw new IllegalArgumentException("--graph-degree must be at least 2: " + graphDegree);
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
  public PqParams pq(int dims) {
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

  /** The hub budget the graph gets: none for an index that keeps its vectors. */
  public double effectiveHubBudget() {
    return recompute ? hubBudget : 0;
  }

  /** Builds the graph over {@code vectors} (normalised in place for cosine). */
  public HnswIndex build(ArrayVectors vectors) {
    int insertThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    HnswParams params = new HnswParams(Metric.parse(metric), graphDegree, efConstruction, insertThreads,
        HnswParams.DEFAULT_SEED);
    HnswIndex.BuildOptions options = new HnswIndex.BuildOptions(compact,
        recompute ? PruneParams.forBuildDegree(graphDegree) : null, !recompute, pq(vectors.dims()),
        effectiveHubBudget());
    return HnswIndex.build(vectors, params, options);
  }

  /** Writes the graph settings into a meta's {@code backend_kwargs}, for {@code dims}-dimensional vectors. */
  public void record(Map<String, Object> kwargs, int dims) {
    kwargs.put("graph_degree", graphDegree);
    kwargs.put("ef_construction", efConstruction);
    kwargs.put("is_compact", compact);
    kwargs.put("is_recompute", recompute);
    kwargs.put("num_threads", threads);
    kwargs.put("distance_metric", Metric.parse(metric).leannName());
    PqParams pq = pq(dims);
    kwargs.put(IndexMeta.PQ_BYTES, pq == null ? 0 : pq.subspaces());
    kwargs.put(IndexMeta.HUB_BUDGET, effectiveHubBudget());
  }
}
