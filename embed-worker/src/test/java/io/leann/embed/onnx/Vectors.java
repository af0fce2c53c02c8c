package io.leann.embed.onnx;

/** Small vector helpers for the embedding tests. */
final class Vectors {
  private Vectors() {}

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }
}
