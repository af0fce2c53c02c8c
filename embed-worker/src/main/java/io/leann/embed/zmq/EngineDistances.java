package io.leann.embed.zmq;

import io.leann.protocol.Metric;

/**
 * Engine distances between a query and freshly computed embeddings, following {@link Metric}:
 * squared L2, or the negated dot product, of unit vectors for cosine. Scalar on purpose: a batch
 * is a few dozen vectors, small next to the model call that produced them. Stateless.
 */
final class EngineDistances {
  private EngineDistances() {}

  /** One distance per vector; {@code vectors} are normalised in place first for cosine. */
  static float[] of(Metric metric, float[] query, float[][] vectors) {
    float[] out = new float[vectors.length];
    for (int i = 0; i < vectors.length; i++) {
      float[] v = vectors[i];
      if (metric == Metric.L2) {
        out[i] = squaredL2(query, v);
      } else {
        if (metric.normalises()) {
          normalise(v);
        }
        out[i] = -dot(query, v);
      }
    }
    return out;
  }

  /** Scales {@code v} to unit length; the zero vector stays as it is. */
  static void normalise(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] / norm);
      }
    }
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static float squaredL2(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      float d = a[i] - b[i];
      s += d * d;
    }
    return s;
  }
}
