package io.leann.shard.text;

/**
 * The two BM25 knobs, as Lucene's {@code BM25Similarity} takes them.
 *
 * @param k1 term-frequency saturation: how quickly repeats of a term stop adding score (finite, >= 0)
 * @param b length normalisation: 0 ignores document length, 1 scales fully by it (in [0, 1])
 */
public record Bm25Params(float k1, float b) {
  /** Lucene's and the Rust LEANN port's defaults: {@code k1 = 1.2}, {@code b = 0.75}. */
  public static final Bm25Params DEFAULT = new Bm25Params(1.2f, 0.75f);

  public Bm25Params {
    if (!Float.isFinite(k1) || k1 < 0) {
      throw new IllegalArgumentException("k1 must be finite and non-negative: " + k1);
    }
    if (!(b >= 0 && b <= 1)) {
      throw new IllegalArgumentException("b must be in [0, 1]: " + b);
    }
  }
}
