package io.leann.shard.pq;

import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lloyd's k-means for the low-dimensional sub-vectors of product quantisation. Centroids are kept
 * transposed ({@code [dim][centroid]}) while training, so the distances from one point to all
 * centroids are a SIMD loop over centroids; that is the whole cost of an iteration.
 *
 * <p>Initial centroids are distinct random points; an empty cluster takes over half of the largest
 * one (its centroid copied and nudged apart), as FAISS does, so no centroid is wasted. Deterministic
 * for a given {@link Random}. Stateless; safe to call from several threads with their own randoms.
 */
final class KMeans {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final float NUDGE = 1f / 1024;

  private KMeans() {}

  /**
   * Clusters {@code n} points of {@code dims} floats (row-major in {@code points}) into {@code k}
   * centroids, returned row-major ({@code k x dims}). With {@code n <= k} every point is a centroid
   * and the remaining centroids repeat the points.
   */
  static float[] train(float[] points, int n, int dims, int k, int iterations, Random random) {
    float[] centroids = new float[k * dims];
    int[] order = shuffled(n, random);
    for (int c = 0; c < k; c++) {
      System.arraycopy(points, order[c % n] * dims, centroids, c * dims, dims);
    }
    if (n <= k) {
      return centroids;
    }
    int[] assignment = new int[n];
    int[] counts = new int[k];
    float[] transposed = new float[dims * k];
    float[] scratch = new float[k];
    for (int it = 0; it < iterations; it++) {
      transpose(centroids, k, dims, transposed);
      for (int i = 0; i < n; i++) {
        assignment[i] = nearest(transposed, 0, k, dims, points, i * dims, scratch);
      }
      Arrays.fill(centroids, 0f);
      Arrays.fill(counts, 0);
      for (int i = 0; i < n; i++) {
        int c = assignment[i];
        counts[c]++;
        for (int d = 0; d < dims; d++) {
          centroids[c * dims + d] += points[i * dims + d];
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          float inv = 1f / counts[c];
          for (int d = 0; d < dims; d++) {
            centroids[c * dims + d] *= inv;
          }
        }
      }
      splitEmpty(centroids, counts, k, dims, random);
    }
    return centroids;
  }

  /**
   * Index of the centroid nearest to the point at {@code points[offset..offset+dims)}, with the
   * centroids transposed from {@code base} ({@code transposed[base + d * k + c]}); {@code scratch}
   * holds {@code k} floats.
   */
  static int nearest(float[] transposed, int base, int k, int dims, float[] points, int offset,
      float[] scratch) {
    int bound = SPECIES.loopBound(k);
    for (int c = 0; c < bound; c += SPECIES.length()) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int d = 0; d < dims; d++) {
        FloatVector diff = FloatVector.fromArray(SPECIES, transposed, base + d * k + c).sub(points[offset + d]);
        acc = diff.fma(diff, acc);
      }
      acc.intoArray(scratch, c);
    }
    for (int c = bound; c < k; c++) {
      float s = 0;
      for (int d = 0; d < dims; d++) {
        float diff = transposed[base + d * k + c] - points[offset + d];
        s += diff * diff;
      }
      scratch[c] = s;
    }
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (scratch[c] < scratch[best]) {
        best = c;
      }
    }
    return best;
  }

  static void transpose(float[] rows, int k, int dims, float[] out) {
    for (int c = 0; c < k; c++) {
      for (int d = 0; d < dims; d++) {
        out[d * k + c] = rows[c * dims + d];
      }
    }
  }

  private static void splitEmpty(float[] centroids, int[] counts, int k, int dims, Random random) {
    for (int c = 0; c < k; c++) {
      if (counts[c] > 0) {
        continue;
      }
      int big = 0;
      for (int j = 1; j < k; j++) {
        if (counts[j] > counts[big]) {
          big = j;
        }
      }
      for (int d = 0; d < dims; d++) {
        float v = centroids[big * dims + d];
        float delta = (random.nextBoolean() ? NUDGE : -NUDGE) * (Math.abs(v) + NUDGE);
        centroids[c * dims + d] = v + delta;
        centroids[big * dims + d] = v - delta;
      }
      counts[c] = counts[big] / 2;
      counts[big] -= counts[c];
    }
  }

  private static int[] shuffled(int n, Random random) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
