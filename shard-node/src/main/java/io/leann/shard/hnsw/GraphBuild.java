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
 *     a PQ sized to the shard ({@link #sizedPq}), 0 for no PQ
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
   * Share of the shard's float vectors' bytes that its pruned graph and PQ may take together by
   * default (issue 16: everything but passages and BM25 within 5% of the stored-vector index).
   */
  public static final double SIZED_SHARE = 0.05;
  /** Bytes per passage the sized PQ leaves for the rest of the index beside the graph file (ids, manifest). */
  public static final int RESERVED_PER_PASSAGE = 8;
  /**
   * Bytes a small shard's PQ may take beyond {@link #SIZED_SHARE}, at most half its float vectors
   * (an fp16 copy's size): below ~8,000 passages 5% buys no useful codebook, and a precise PQ is what
   * lets search recompute few candidates there. Such an index stays smaller than its stored-vector
   * build: its PQ is at most half the vectors, its pruned graph smaller than the full one.
   */
  public static final long SMALL_SHARD_PQ_BYTES = 256 * 1024;

  /**
   * The PQ of a shard of {@code n} vectors of {@code dims} dimensions whose pruned graph takes
   * {@code graphBytes}, or null for none. Asked bytes ({@code pqBytes}) give the largest subspace
   * count that divides {@code dims} and gives at most that many 8-bit codes; by default the PQ is
   * sized by {@link #sizedPq}.
   *
   * @throws IllegalArgumentException if the asked bytes exceed the dimensions
   */
  public PqParams pq(long n, int dims, long graphBytes) {
    if (!recompute || (pqBytes != null && pqBytes == 0)) {
      return null;
    }
    if (pqBytes == null) {
      return sizedPq(n, dims, graphBytes);
    }
    if (pqBytes > dims) {
      throw new IllegalArgumentException("--pq-bytes " + pqBytes + " exceeds the " + dims
          + " dimensions (a one-byte code covers at least one dimension)");
    }
    return PqParams.forDims(dims, Float.BYTES * dims / pqBytes);
  }

  /**
   * The default PQ: the most precise one ({@link PqParams#forBudget}) whose codes and codebooks fit
   * in {@link #SIZED_SHARE} of the float vectors' bytes less the graph and
   * {@link #RESERVED_PER_PASSAGE}, or in {@link #SMALL_SHARD_PQ_BYTES} (at most half the vectors)
   * when that is more. Codebooks cost {@code 4 x 2^bits x dims} bytes whatever the corpus,
   * so small corpora get fewer centroids, large ones the full 256.
   */
  public static PqParams sizedPq(long n, int dims, long graphBytes) {
    long vectorBytes = n * dims * Float.BYTES;
    long share = (long) (SIZED_SHARE * vectorBytes) - graphBytes - n * RESERVED_PER_PASSAGE;
    long budget = Math.max(share, Math.min(SMALL_SHARD_PQ_BYTES, vectorBytes / 2));
    return PqParams.forBudget(n, dims, budget);
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
        recompute ? PruneParams.forBuildDegree(graphDegree) : null, !recompute, null, effectiveHubBudget());
    return HnswIndex.build(vectors, params, options, graphBytes -> pq(vectors.size(), vectors.dims(), graphBytes));
  }

  /** Writes the graph settings into a meta's {@code backend_kwargs}. */
  public void record(Map<String, Object> kwargs) {
    kwargs.put("graph_degree", graphDegree);
    kwargs.put("ef_construction", efConstruction);
    kwargs.put("is_compact", compact);
    kwargs.put("is_recompute", recompute);
    kwargs.put("num_threads", threads);
    kwargs.put("distance_metric", Metric.parse(metric).leannName());
    // Absent means sized per shard, so a rebuild from this meta sizes its PQ to its own corpus again.
    if (!recompute || pqBytes != null) {
      kwargs.put(IndexMeta.PQ_BYTES, pqBytes == null ? 0 : pqBytes);
    }
    kwargs.put(IndexMeta.HUB_BUDGET, effectiveHubBudget());
  }
}
