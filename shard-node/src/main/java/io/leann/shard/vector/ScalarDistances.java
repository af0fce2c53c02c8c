package io.leann.shard.vector;

/**
 * Plain-loop reference for the SIMD kernels in {@link VectorDistances}. Accumulates in double so
 * tests have a stable yardstick; it is never used on a hot path.
 */
public final class ScalarDistances {
  private ScalarDistances() {}

  public static float dot(float[] a, float[] b) {
    check(a, b);
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }

  public static float squaredL2(float[] a, float[] b) {
    check(a, b);
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = (double) a[i] - b[i];
      s += d * d;
    }
    return (float) s;
  }

  public static float cosine(float[] a, float[] b) {
    check(a, b);
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0f : (float) (dot / Math.sqrt(na * nb));
  }

  private static void check(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
    }
  }
}
