package io.leann.shard.hnsw;

/**
 * Parameters of high-degree-preserving pruning (LEANN paper, Algorithm 3).
 *
 * @param hubDegree links a hub keeps, and the cap reverse edges may fill any node up to ("M")
 * @param degree links every other node keeps ("m", below {@code hubDegree})
 * @param hubFraction share of nodes, by level-0 out-degree, treated as hubs (paper: 2%)
 */
public record PruneParams(int hubDegree, int degree, double hubFraction) {
  public PruneParams {
    if (degree < 1 || degree >= hubDegree) {
      throw new IllegalArgumentException(
          "pruned degree m must be in [1, M): m=" + degree + ", M=" + hubDegree);
    }
    if (!(hubFraction >= 0 && hubFraction <= 1)) {
      throw new IllegalArgumentException("hub fraction must be in [0, 1]: " + hubFraction);
    }
  }

  /** Defaults for a graph built with {@code m} links per upper-level node: M = m, m = m / 2, 2% hubs. */
  public static PruneParams forBuildDegree(int m) {
    return new PruneParams(m, Math.max(1, m / 2), 0.02);
  }
}
