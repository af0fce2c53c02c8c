package io.leann.shard.text;

import java.util.Objects;

/**
 * A passage id with a score where higher is better, the currency of {@link HybridFusion}.
 *
 * @param id passage id (non-null)
 * @param score finite score; higher is better
 */
public record Scored(String id, double score) {
  public Scored {
    Objects.requireNonNull(id, "id");
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("score of \"" + id + "\" must be finite: " + score);
    }
  }
}
