package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.testing.Fixtures;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Data sets and recall measurement shared by the engine tests. */
final class TestData {
  private TestData() {}

  /** {@code n} points in {@code dims} dimensions around {@code clusters} Gaussian centres. */
  static float[][] clustered(int n, int dims, int clusters, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centres = new float[clusters][dims];
    for (float[] c : centres) {
      for (int d = 0; d < dims; d++) {
        c[d] = (float) (r.nextDouble() * 10 - 5);
      }
    }
    float[][] out = new float[n][dims];
    for (int i = 0; i < n; i++) {
      float[] c = centres[r.nextInt(clusters)];
      for (int d = 0; d < dims; d++) {
        out[i][d] = c[d] + (float) gaussian(r);
      }
    }
    return out;
  }

  static double gaussian(SplittableRandom r) {
    double u = 1.0 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * The 400 real 384-d sentence embeddings (all-MiniLM-L6-v2 over e-mails) stored in the Python
   * LEANN fixture's full index: the FAISS flat storage ends the file with the raw float rows.
   */
  static float[][] leannFixtureVectors() throws IOException {
    Path index = Fixtures.leannPython().resolve("leann-python-full/documents.index");
    byte[] bytes = Files.readAllBytes(index);
    int n = 400, dims = 384;
    ByteBuffer b = ByteBuffer.wrap(bytes, bytes.length - n * dims * 4, n * dims * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    float[][] out = new float[n][dims];
    for (float[] row : out) {
      b.asFloatBuffer().get(row);
      b.position(b.position() + dims * 4);
    }
    return out;
  }

  /** Mean recall@k of {@code index} at {@code ef} against exact search over {@code vectors}. */
  static double recall(HnswIndex index, ArrayVectors vectors, Metric metric, float[][] queries, int k,
      int ef) {
    long hits = 0;
    for (float[] q : queries) {
      float[] nq = q.clone();
      if (metric.normalises()) {
        VectorDistances.normalize(nq);
      }
      SearchResult exact = ExactSearch.search(vectors, metric, nq, k);
      SearchResult found = Searches.stored(index, q, k, ef);
      hits += overlap(exact.nodes(), found.nodes());
    }
    return hits / (double) (queries.length * k);
  }

  static int overlap(int[] a, int[] b) {
    int hits = 0;
    for (int x : a) {
      for (int y : b) {
        if (x == y) {
          hits++;
          break;
        }
      }
    }
    return hits;
  }

  /**
   * Asserts two results list the same nodes, allowing swaps between nodes whose distances are
   * equal within float rounding (SIMD reductions round differently once the JIT compiles them).
   */
  static void assertSameUpToTies(SearchResult a, SearchResult b) {
    org.junit.jupiter.api.Assertions.assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      if (a.nodes()[i] != b.nodes()[i]) {
        boolean tied = (i > 0 && a.distances()[i] - a.distances()[i - 1] < 1e-5f)
            || (i + 1 < a.size() && a.distances()[i + 1] - a.distances()[i] < 1e-5f);
        org.junit.jupiter.api.Assertions.assertTrue(tied,
            "rank " + i + ": " + a.nodes()[i] + " vs " + b.nodes()[i]);
      }
    }
  }
}
