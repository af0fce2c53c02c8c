package io.leann.protocol;

import java.util.Locale;

/**
 * Distance metric of an index. The engine always works with a distance where lower is closer:
 * squared L2 for {@link #L2}, and the negated dot product for {@link #INNER_PRODUCT} and
 * {@link #COSINE} (cosine indexes hold unit vectors, normalised at build and at query time, so the
 * dot product is the cosine). Users see LEANN's score convention through {@link #toScore}: squared
 * L2 (lower is better) or the dot product (higher is better).
 */
public enum Metric {
  L2(0, "l2"),
  INNER_PRODUCT(1, "mips"),
  COSINE(2, "cosine");

  private final int code;
  private final String leannName;

  Metric(int code, String leannName) {
    this.code = code;
    this.leannName = leannName;
  }

  /** Stable code used in binary files and wire frames. */
  public int code() {
    return code;
  }

  /** The name the Python LEANN uses in {@code backend_kwargs.distance_metric}. */
  public String leannName() {
    return leannName;
  }

  /** Whether vectors must be L2-normalised before they are stored or compared. */
  public boolean normalises() {
    return this == COSINE;
  }

  /** Converts an engine distance into the score users see. */
  public float toScore(float distance) {
    return this == L2 ? distance : -distance;
  }

  public static Metric fromCode(int code) {
    for (Metric m : values()) {
      if (m.code == code) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown metric code " + code);
  }

  /** Accepts LEANN's names ({@code l2}, {@code mips}, {@code cosine}) and ours, case-insensitively. */
  public static Metric parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "l2", "euclidean" -> L2;
      case "mips", "ip", "inner_product", "dot" -> INNER_PRODUCT;
      case "cosine", "angular" -> COSINE;
      default -> throw new IllegalArgumentException(
          "unknown distance metric '" + name + "' (expected l2, mips or cosine)");
    };
  }
}
