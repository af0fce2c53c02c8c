package io.leann.embed.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leann.embed.worker.TrigramEmbedder;
import io.leann.protocol.Metric;

/** Engine distances computed independently of the server, in double precision, for assertions. */
final class ExpectedDistances {
  private ExpectedDistances() {}

  static double of(Metric metric, float[] query, String text) {
    float[] v = TrigramEmbedder.vector(text);
    double dot = 0;
    double l2 = 0;
    double norm = 0;
    for (int i = 0; i < v.length; i++) {
      dot += (double) v[i] * query[i];
      l2 += ((double) v[i] - query[i]) * ((double) v[i] - query[i]);
      norm += (double) v[i] * v[i];
    }
    return switch (metric) {
      case L2 -> l2;
      case INNER_PRODUCT -> -dot;
      case COSINE -> norm == 0 ? 0 : -dot / Math.sqrt(norm);
    };
  }

  static void assertClose(double expected, float actual, String what) {
    assertEquals(expected, actual, 1e-4 * Math.max(1, Math.abs(expected)), what);
  }
}
