package io.leann.shard.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LEANN's weighted min-max fusion of a dense (vector) and a sparse (BM25) result list:
 * each list is min-max normalised to [0, 1] on its own (a list whose scores are all equal
 * normalises to 1.0 throughout), an id missing from a list gets 0 from it, and
 * {@code fused = w * dense + (1 - w) * sparse}. The top {@code k} by fused score are returned,
 * ties broken by ascending id so the order is deterministic.
 *
 * <p>Both lists must be higher-is-better. Inner-product and cosine scores ({@code Metric.toScore})
 * already are; an L2 index reports squared distances, which the caller must negate (or otherwise
 * turn into a similarity) before fusing. An id listed twice in one list counts with its best score.
 *
 * <p>Stateless and thread-safe.
 */
public final class HybridFusion {
  /** LEANN's default weight of the dense list. */
  public static final double DEFAULT_VECTOR_WEIGHT = 0.6;

  private static final Comparator<Scored> BEST_FIRST =
      Comparator.comparingDouble(Scored::score).reversed().thenComparing(Scored::id);

  private HybridFusion() {}

  /** {@link #fuse(List, List, double, int)} with {@link #DEFAULT_VECTOR_WEIGHT}. */
  public static List<Scored> fuse(List<Scored> dense, List<Scored> sparse, int k) {
    return fuse(dense, sparse, DEFAULT_VECTOR_WEIGHT, k);
  }

  /**
   * Fuses {@code dense} and {@code sparse} and keeps the best {@code k} (an unmodifiable list).
   *
   * @param vectorWeight weight of the dense list in [0, 1]; 1 is pure vector, 0 pure BM25
   * @throws IllegalArgumentException if the weight is outside [0, 1] or {@code k} is negative
   */
  public static List<Scored> fuse(List<Scored> dense, List<Scored> sparse, double vectorWeight, int k) {
    if (!(vectorWeight >= 0 && vectorWeight <= 1)) {
      throw new IllegalArgumentException("vector weight must be in [0, 1]: " + vectorWeight);
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative: " + k);
    }
    Map<String, Double> denseNorm = normalise(dense);
    Map<String, Double> sparseNorm = normalise(sparse);
    Map<String, Double> fused = new HashMap<>();
    denseNorm.forEach((id, s) -> fused.merge(id, vectorWeight * s, Double::sum));
    sparseNorm.forEach((id, s) -> fused.merge(id, (1 - vectorWeight) * s, Double::sum));
    List<Scored> out = new ArrayList<>(fused.size());
    fused.forEach((id, s) -> out.add(new Scored(id, s)));
    out.sort(BEST_FIRST);
    return List.copyOf(out.subList(0, Math.min(k, out.size())));
  }

  /** Min-max normalised best score per id; all 1.0 when the list is flat. */
  static Map<String, Double> normalise(List<Scored> list) {
    Map<String, Double> best = new LinkedHashMap<>();
    for (Scored s : list) {
      best.merge(s.id(), s.score(), Math::max);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : best.values()) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    // Halved first so that the span of two finite extremes cannot overflow to infinity.
    double lo = min * 0.5;
    double range = max * 0.5 - lo;
    best.replaceAll((id, s) -> range > 0 ? (s * 0.5 - lo) / range : 1.0);
    return best;
  }
}
