package io.leann.embed.onnx;

import java.nio.FloatBuffer;

/**
 * sentence-transformers' mean pooling plus L2 normalisation over the last hidden state of one
 * unpadded sequence (every position is a real token, so the attention mask is all ones and the
 * masked mean is the plain mean).
 *
 * <p>Stateless.
 */
final class MeanPooling {

  /** torch's {@code F.normalize} epsilon: a zero vector stays zero instead of becoming NaN. */
  private static final double MIN_NORM = 1e-12;

  private MeanPooling() {}

  /**
   * @param hidden row-major {@code [1, tokens, dims]} activations
   * @return the unit-length mean of the {@code tokens} rows
   */
  static float[] meanNormalized(FloatBuffer hidden, int tokens, int dims) {
    if (hidden.remaining() != tokens * dims) {
      throw new IllegalStateException("hidden state has " + hidden.remaining()
          + " floats, expected " + tokens + " x " + dims);
    }
    double[] mean = new double[dims];
    for (int t = 0; t < tokens; t++) {
      int offset = t * dims;
      for (int d = 0; d < dims; d++) {
        mean[d] += hidden.get(offset + d);
      }
    }
    double norm = 0;
    for (int d = 0; d < dims; d++) {
      mean[d] /= tokens;
      norm += mean[d] * mean[d];
    }
    double scale = 1 / Math.max(Math.sqrt(norm), MIN_NORM);
    float[] out = new float[dims];
    for (int d = 0; d < dims; d++) {
      out[d] = (float) (mean[d] * scale);
    }
    return out;
  }
}
