package io.leann.shard.pq;

/**
 * How to train a {@link ProductQuantizer}.
 *
 * @param subspaces number of sub-vectors a vector is cut into; must divide the dimensions
 * @param bits bits per sub-vector code, 1..8 (2^bits centroids per subspace); one byte per code
 * @param sampleSize vectors sampled for k-means (all if fewer)
 * @param iterations Lloyd iterations per subspace
 * @param seed seeds the sample and the initial centroids, so training is reproducible
 */
public record PqParams(int subspaces, int bits, int sampleSize, int iterations, long seed) {
  public PqParams {
    if (subspaces < 1 || bits < 1 || bits > 8 || sampleSize < 1 || iterations < 1) {
      throw new IllegalArgumentException("PQ needs subspaces >= 1, bits in 1..8, sampleSize >= 1 and "
          + "iterations >= 1: " + subspaces + ", " + bits + ", " + sampleSize + ", " + iterations);
    }
  }

  /**
   * Float-vector bytes per code byte by default: 32-byte codes for 384 dimensions, the setting that
   * keeps a pruned index within 5% of the stored-vector one at recall@3 0.93 (PERFORMANCE.md §9).
   */
  public static final int DEFAULT_RATIO = 48;

  /** The default codes for {@code dims} dimensions: {@link #forDims(int, int)} at {@link #DEFAULT_RATIO}. */
  public static PqParams forDims(int dims) {
    return forDims(dims, DEFAULT_RATIO);
  }

  /**
   * Codes of about {@code 1/ratio} of the float vector's bytes: 8-bit codes, so the largest divisor of
   * {@code dims} not above {@code dims * 4 / ratio} subspaces (48 for 384 dimensions at ratio 32).
   */
  public static PqParams forDims(int dims, int ratio) {
    int target = Math.max(1, dims * Float.BYTES / ratio);
    int m = target;
    while (dims % m != 0) {
      m--;
    }
    return new PqParams(m, 8, 16_384, 20, 42);
  }

  public PqParams withSubspaces(int m) {
    return new PqParams(m, bits, sampleSize, iterations, seed);
  }

  public int centroids() {
    return 1 << bits;
  }
}
