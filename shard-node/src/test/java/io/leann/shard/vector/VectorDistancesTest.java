package io.leann.shard.vector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VectorDistancesTest {
  private static float[] random(SplittableRandom r, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  /** Float sums in a different order differ by rounding; allow a bound relative to the magnitudes. */
  private static float tolerance(float[] a, float[] b) {
    double mag = 0;
    for (int i = 0; i < a.length; i++) {
      mag += Math.abs((double) a[i] * b[i]) + (double) a[i] * a[i] + (double) b[i] * b[i];
    }
    return (float) (1e-5 * mag + 1e-6);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 16, 100, 127, 384, 768, 1536})
  void simdAgreesWithScalar(int dims) {
    SplittableRandom r = new SplittableRandom(dims);
    for (int trial = 0; trial < 20; trial++) {
      float[] a = random(r, dims);
      float[] b = random(r, dims);
      float tol = tolerance(a, b);
      assertEquals(ScalarDistances.dot(a, b), VectorDistances.dot(a, b), tol, "dot");
      assertEquals(ScalarDistances.squaredL2(a, b), VectorDistances.squaredL2(a, b), tol, "l2");
      assertEquals(ScalarDistances.cosine(a, b), VectorDistances.cosine(a, b), 1e-5, "cosine");
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7, 16, 100, 127, 384, 768, 1536})
  void batchOfFourMatchesSingleKernels(int dims) {
    SplittableRandom r = new SplittableRandom(31L * dims);
    float[] q = random(r, dims);
    float[] rows = new float[6 * dims];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) (r.nextDouble() * 2 - 1);
    }
    int[] pick = {5, 0, 3, 3};
    float[] dots = new float[5];
    float[] l2s = new float[5];
    VectorDistances.dot4(q, rows, pick[0] * dims, pick[1] * dims, pick[2] * dims, pick[3] * dims,
        dims, dots, 1);
    VectorDistances.squaredL2x4(q, rows, pick[0] * dims, pick[1] * dims, pick[2] * dims,
        pick[3] * dims, dims, l2s, 1);
    for (int i = 0; i < 4; i++) {
      float[] row = java.util.Arrays.copyOfRange(rows, pick[i] * dims, (pick[i] + 1) * dims);
      float tol = tolerance(q, row);
      assertEquals(ScalarDistances.dot(q, row), dots[i + 1], tol);
      assertEquals(ScalarDistances.squaredL2(q, row), l2s[i + 1], tol);
      // bit-identical to the single-row kernels, so a search sees one value per node
      assertEquals(VectorDistances.dot(q, 0, rows, pick[i] * dims, dims), dots[i + 1]);
      assertEquals(VectorDistances.squaredL2(q, 0, rows, pick[i] * dims, dims), l2s[i + 1]);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 100, 384, 1536})
  void segmentKernelsMatchArrayKernels(int dims) {
    SplittableRandom r = new SplittableRandom(dims + 5L);
    float[] q = random(r, dims);
    float[] v = random(r, dims);
    try (Arena arena = Arena.ofConfined()) {
      // an odd offset checks unaligned access
      MemorySegment seg = arena.allocate(dims * 4L + 3);
      MemorySegment.copy(v, 0, seg, LittleEndian.FLOAT, 3, dims);
      assertEquals(VectorDistances.dot(q, v), VectorDistances.dot(q, seg, 3, dims), tolerance(q, v));
      assertEquals(VectorDistances.squaredL2(q, v), VectorDistances.squaredL2(q, seg, 3, dims),
          tolerance(q, v));
      // the kernels reduce lanes in a fixed order, so every path gives the same bits
      float[] fromSegment = new float[4];
      float[] fromArray = new float[4];
      VectorDistances.dot4(q, seg, 3, 3, 3, 3, dims, fromSegment, 0);
      VectorDistances.dot4(q, v, 0, 0, 0, 0, dims, fromArray, 0);
      assertArrayEquals(fromArray, fromSegment);
      assertEquals(VectorDistances.dot(q, v), fromArray[0]);
      VectorDistances.squaredL2x4(q, seg, 3, 3, 3, 3, dims, fromSegment, 0);
      VectorDistances.squaredL2x4(q, v, 0, 0, 0, 0, dims, fromArray, 0);
      assertArrayEquals(fromArray, fromSegment);
      assertEquals(VectorDistances.squaredL2(q, v), fromArray[0]);
    }
  }

  /** The same inputs give the same bits cold (interpreted) and after many calls (compiled). */
  @ParameterizedTest
  @ValueSource(ints = {100, 384})
  void resultsDoNotChangeAsTheJitWarmsUp(int dims) {
    SplittableRandom r = new SplittableRandom(dims * 7L);
    float[] a = random(r, dims);
    float[] b = random(r, dims);
    float cold = VectorDistances.dot(a, b);
    float coldL2 = VectorDistances.squaredL2(a, b);
    for (int i = 0; i < 200_000; i++) {
      VectorDistances.dot(a, b);
      VectorDistances.squaredL2(a, b);
    }
    assertEquals(cold, VectorDistances.dot(a, b));
    assertEquals(coldL2, VectorDistances.squaredL2(a, b));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 384})
  void normalizeMakesUnitVectorsAndLeavesZeroAlone(int dims) {
    float[] v = random(new SplittableRandom(dims), dims);
    VectorDistances.normalize(v);
    assertEquals(1.0, ScalarDistances.dot(v, v), 1e-5);
    float[] zero = new float[dims];
    VectorDistances.normalize(zero);
    assertEquals(0f, ScalarDistances.dot(zero, zero));
  }
}
