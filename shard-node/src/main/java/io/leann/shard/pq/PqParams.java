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

  /** Fewest centroids a sized PQ uses: with fewer, codes rank too coarsely to be worth their bytes. */
  static final int MIN_SIZED_BITS = 4;
  /** Vectors per centroid a sized PQ needs at least, so k-means has something to average. */
  static final int POINTS_PER_CENTROID = 2;

  /**
   * The most precise 8-bit-per-code PQ of {@code n} vectors of {@code dims} dimensions whose codes
   * and codebooks together take at most {@code budgetBytes}: the largest {@code subspaces x bits}
   * (bits of code per vector) over subspace counts that divide {@code dims} and 2^bits centroids,
   * {@value #MIN_SIZED_BITS} to 8 bits, at most {@code n / }{@value #POINTS_PER_CENTROID}; among
   * equals the smaller one. Null when none fits.
   */
  public static PqParams forBudget(long n, int dims, long budgetBytes) {
    PqParams best = null;
    long bestBits = 0;
    long bestBytes = Long.MAX_VALUE;
    for (int bits = MIN_SIZED_BITS; bits <= 8 && (1L << bits) * POINTS_PER_CENTROID <= n; bits++) {
      for (int m = dims; m >= 1; m--) {
        if (dims % m != 0) {
          continue;
        }
        long bytes = bytes(n, dims, m, bits);
        if (bytes > budgetBytes) {
          continue;
        }
        long codeBits = (long) m * bits;
        if (codeBits > bestBits || (codeBits == bestBits && bytes < bestBytes)) {
          best = new PqParams(m, bits, 16_384, 20, 42);
          bestBits = codeBits;
          bestBytes = bytes;
        }
        break;
      }
    }
    return best;
  }

  /** Bytes of the codes (one byte each) and serialised codebooks of such a PQ over {@code n} vectors. */
  public static long bytes(long n, int dims, int subspaces, int bits) {
    return n * subspaces + ProductQuantizer.codebookBytes(dims, bits);
  }

  public PqParams withSubspaces(int m) {
    return new PqParams(m, bits, sampleSize, iterations, seed);
  }

  public PqParams withBits(int b) {
    return new PqParams(subspaces, b, sampleSize, iterations, seed);
  }

  public int centroids() {
    return 1 << bits;
  }
}
