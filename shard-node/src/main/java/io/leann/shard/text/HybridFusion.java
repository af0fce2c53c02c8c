package io.leann.shard.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fusion of a dense (vector) and a sparse (BM25) result list, for every host's hybrid search.
 * Two methods ({@link Method}):
 *
 * <ul>
 *   <li>{@link Method#WEIGHTED}, LEANN's and the default: each list is min-max normalised to [0, 1]
 *       on its own (a list whose scores are all equal normalises to 1.0 throughout), an id missing
 *       from a list gets 0 from it, and {@code fused = w * dense + (1 - w) * sparse}.
 *   <li>{@link Method#RRF}, reciprocal rank fusion (Cormack et al., 2009): only ranks count, so
 *       the two lists' score scales never meet; {@code fused = sum over the lists of
 *       1 / (}{@value #RRF_K}{@code + rank)}, rank 1 for the best of a list, nothing from a list
 *       that lacks the id.
 * </ul>
 *
 * <p>The top {@code k} by fused score are returned, ties broken by ascending id so the order is
 * deterministic. Each side should be searched {@link #depth(int)} deep.
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

  /** RRF's rank constant: damps the weight of the first few ranks (60, as in the paper and most engines). */
  public static final int RRF_K = 60;

  /** How the two lists are fused. */
  public enum Method {
    /** LEANN's weighted sum of min-max normalised scores. */
    WEIGHTED,
    /** Reciprocal rank fusion. */
    RRF;

    /**
     * {@code weighted} or {@code rrf}, case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Method parse(String name) {
      return switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "weighted" -> WEIGHTED;
        case "rrf" -> RRF;
        default -> throw new IllegalArgumentException("unknown fusion '" + name + "' (expected weighted or rrf)");
      };
    }
  }

  /**
   * A hybrid search's fusion: the method and, for {@link Method#WEIGHTED}, the dense weight.
   *
   * @param vectorWeight weight of the dense list in [0, 1] for {@link Method#WEIGHTED}; NaN for RRF
   */
  public record Spec(Method method, double vectorWeight) {
    public Spec {
      if (method == Method.WEIGHTED && !(vectorWeight >= 0 && vectorWeight <= 1)) {
        throw new IllegalArgumentException("vector weight must be in [0, 1]: " + vectorWeight);
      }
      if (method == Method.RRF && !Double.isNaN(vectorWeight)) {
        throw new IllegalArgumentException("a vector weight applies to weighted fusion only, not to rrf");
      }
    }

    /**
     * The fusion a request names, or null for a dense-only search: hybrid when either is given;
     * {@code fusion} defaults to weighted and the weight to {@value #DEFAULT_VECTOR_WEIGHT}.
     *
     * @param fusion {@code weighted}, {@code rrf} or null
     * @param vectorWeight the dense weight of weighted fusion, or null
     * @throws IllegalArgumentException for an unknown fusion, a weight outside [0, 1], or a weight with rrf
     */
    public static Spec of(String fusion, Double vectorWeight) {
      if (fusion == null && vectorWeight == null) {
        return null;
      }
      Method method = fusion == null ? Method.WEIGHTED : Method.parse(fusion);
      if (method == Method.RRF) {
        return new Spec(method, vectorWeight == null ? Double.NaN : vectorWeight);
      }
      return new Spec(method, vectorWeight == null ? DEFAULT_VECTOR_WEIGHT : vectorWeight);
    }
  }

  private HybridFusion() {}

  /** How many hits each side of a hybrid search for the top {@code k} contributes. */
  public static int depth(int k) {
    return Math.max(2 * k, 10);
  }

  /** Fuses {@code dense} and {@code sparse} as {@code spec} says and keeps the best {@code k}. */
  public static List<Scored> fuse(Spec spec, List<Scored> dense, List<Scored> sparse, int k) {
    return spec.method() == Method.RRF ? rrf(dense, sparse, k) : fuse(dense, sparse, spec.vectorWeight(), k);
  }

  /**
   * Reciprocal rank fusion of {@code dense} and {@code sparse}, the best {@code k} (an unmodifiable
   * list). A list's ranks follow its scores, best first (ties by id); an id listed twice counts once,
   * at its best rank.
   *
   * @throws IllegalArgumentException if {@code k} is negative
   */
  public static List<Scored> rrf(List<Scored> dense, List<Scored> sparse, int k) {
    if (k < 0) {
      throw new IllegalArgumentException("k must not be negative: " + k);
    }
    Map<String, Double> fused = new HashMap<>();
    for (List<Scored> list : List.of(dense, sparse)) {
      Map<String, Double> best = new LinkedHashMap<>();
      for (Scored s : list) {
        best.merge(s.id(), s.score(), Math::max);
      }
      List<Scored> ranked = new ArrayList<>(best.size());
      best.forEach((id, score) -> ranked.add(new Scored(id, score)));
      ranked.sort(BEST_FIRST);
      for (int rank = 1; rank <= ranked.size(); rank++) {
        fused.merge(ranked.get(rank - 1).id(), 1.0 / (RRF_K + rank), Double::sum);
      }
    }
    return best(fused, k);
  }

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
    return best(fused, k);
  }

  /** The {@code k} best of {@code fused}, best first, ties by id. */
  private static List<Scored> best(Map<String, Double> fused, int k) {
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
