package io.leann.shard.hnsw;

import io.leann.protocol.Metric;

/**
 * Construction parameters. {@code m} is the number of links a node keeps on the upper levels;
 * level 0 keeps {@code 2 * m}. {@code seed} drives the random levels, so a build with one thread
 * and the same seed produces the same graph bit for bit.
 *
 * @param metric distance metric (cosine expects unit vectors)
 * @param m links per node on levels above 0 (LEANN default 32)
 * @param efConstruction beam width while inserting (default 200)
 * @param threads insertion threads
 * @param seed seed for the level draw
 */
public record HnswParams(Metric metric, int m, int efConstruction, int threads, long seed) {
  public static final int DEFAULT_M = 32;
  public static final int DEFAULT_EF_CONSTRUCTION = 200;
  public static final long DEFAULT_SEED = 42L;

  public HnswParams {
    if (metric == null) {
      throw new IllegalArgumentException("metric is required");
    }
    if (m < 2 || m > 512) {
      throw new IllegalArgumentException("M must be in [2, 512]: " + m);
    }
    if (efConstruction < 1) {
      throw new IllegalArgumentException("efConstruction must be positive: " + efConstruction);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be positive: " + threads);
    }
  }

  public static HnswParams defaults(Metric metric) {
    return new HnswParams(metric, DEFAULT_M, DEFAULT_EF_CONSTRUCTION,
        Runtime.getRuntime().availableProcessors(), DEFAULT_SEED);
  }

  /** Level-0 degree cap. */
  public int m0() {
    return 2 * m;
  }

  /** Normalisation factor of the level distribution, 1/ln(M), as in the HNSW paper. */
  public double levelMultiplier() {
    return 1.0 / Math.log(m);
  }
}
