package io.leann.shard.pq;

/**
 * How to train a {@link ProductQuantizer}.
 *
 * @param subspaces number of sub-vectors a vector is cut into; must divide the dimensions
 * @param bits bits per sub-vector code, 1..8 (2^bits centroids per subspace); an index stores codes of at most 4 bits two to a byte, others one to a byte
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

  /**
   * Fewest bits a sized PQ's codes have: even 2 centroids per subspace beat no PQ, which would leave
   * a tiny shard without the PQ walk and compressed mode.
   */
  static final int MIN_SIZED_BITS = 1;
  /** Vectors per centroid a sized PQ needs at least, so k-means has something to average. */
  static final int POINTS_PER_CENTROID = 2;

  /**
   * The most precise PQ of {@code n} vectors of {@code dims} dimensions whose stored codes (4-bit
   * ones two to a byte) and codebooks together take at most {@code budgetBytes}: the largest {@code subspaces x bits}
   * (bits of code per vector) over subspace counts that divide {@code dims} and 2^bits centroids,
   * {@value #MIN_SIZED_BITS} to 8 bits, at most {@code n / }{@value #POINTS_PER_CENTROID}; among
   * equals the one with more bits per code. Null when none fits.
   */
  public static PqParams forBudget(long n, int dims, long budgetBytes) {
    PqParams best = null;
    long bestBits = 0;
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
        // Bits rise through the loop: a tie goes to wider codes, which rank a little better
        // (32x8b against 64x4b: recall@3 0.980 against 0.967, PERFORMANCE.md §15).
        if (codeBits >= bestBits) {
          best = new PqParams(m, bits, 16_384, 20, 42);
          bestBits = codeBits;
        }
        break;
      }
    }
    return best;
  }

  /** Bytes of the stored codes and serialised codebooks of such a PQ over {@code n} vectors. */
  public static long bytes(long n, int dims, int subspaces, int bits) {
    return n * ProductQuantizer.storedCodeBytes(subspaces, bits) + ProductQuantizer.codebookBytes(dims, bits);
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
