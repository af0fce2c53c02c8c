package io.leann.shard.vector;

import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD distance kernels over the preferred float species, with a scalar tail. Vectors live either
 * in a flat {@code float[]} (rows addressed by element offset) or in a little-endian
 * {@link MemorySegment} (rows addressed by byte offset), so an index mapped from disk is searched
 * without copying.
 *
 * <p>The batch kernels compare one query against four candidates per pass: the query lanes are
 * loaded once and four independent accumulators keep the FMA units busy, which matters because a
 * graph search spends almost all its time here. Stateless and thread-safe.
 */
public final class VectorDistances {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  /**
   * Shuffles for a fixed-order tree reduction. {@code reduceLanes(ADD)} leaves the order open, and
   * interpreted and compiled code do round differently, so the same vectors could give distances a
   * bit apart before and after the JIT warms up; a graph build would then depend on timing.
   */
  private static final VectorShuffle<Float>[] FOLDS = folds();

  private VectorDistances() {}

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] folds() {
    int steps = Integer.numberOfTrailingZeros(LANES);
    VectorShuffle<Float>[] folds = new VectorShuffle[steps];
    for (int i = 0, half = LANES / 2; half >= 1; i++, half /= 2) {
      folds[i] = VectorShuffle.iota(SPECIES, half, 1, true);
    }
    return folds;
  }

  /** Sum of the lanes of {@code v}, always added in the same tree order. */
  private static float sum(FloatVector v) {
    for (VectorShuffle<Float> fold : FOLDS) {
      v = v.add(v.rearrange(fold));
    }
    return v.lane(0);
  }

  /** Number of float lanes the kernels use on this machine. */
  public static int lanes() {
    return LANES;
  }

  public static float dot(float[] a, float[] b) {
    checkDims(a.length, b.length);
    return dot(a, 0, b, 0, a.length);
  }

  public static float squaredL2(float[] a, float[] b) {
    checkDims(a.length, b.length);
    return squaredL2(a, 0, b, 0, a.length);
  }

  /** Cosine similarity of two vectors of any norm; 0 when either is the zero vector. */
  public static float cosine(float[] a, float[] b) {
    checkDims(a.length, b.length);
    int n = a.length;
    int bound = SPECIES.loopBound(n);
    FloatVector dot = FloatVector.zero(SPECIES);
    FloatVector na = FloatVector.zero(SPECIES);
    FloatVector nb = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector va = FloatVector.fromArray(SPECIES, a, i);
      FloatVector vb = FloatVector.fromArray(SPECIES, b, i);
      dot = va.fma(vb, dot);
      na = va.fma(va, na);
      nb = vb.fma(vb, nb);
    }
    float d = sum(dot);
    float x = sum(na);
    float y = sum(nb);
    for (; i < n; i++) {
      d += a[i] * b[i];
      x += a[i] * a[i];
      y += b[i] * b[i];
    }
    return x == 0 || y == 0 ? 0f : (float) (d / Math.sqrt((double) x * y));
  }

  /** Dot product of the {@code dims}-float rows starting at {@code aOff} in {@code a} and {@code bOff} in {@code b}. */
  public static float dot(float[] a, int aOff, float[] b, int bOff, int dims) {
    int bound = SPECIES.loopBound(dims);
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += LANES) {
      acc = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
    }
    float s = sum(acc);
    for (; i < dims; i++) {
      s += a[aOff + i] * b[bOff + i];
    }
    return s;
  }

  /** Squared L2 distance between the rows starting at {@code aOff} in {@code a} and {@code bOff} in {@code b}. */
  public static float squaredL2(float[] a, int aOff, float[] b, int bOff, int dims) {
    int bound = SPECIES.loopBound(dims);
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i).sub(FloatVector.fromArray(SPECIES, b, bOff + i));
      acc = d.fma(d, acc);
    }
    float s = sum(acc);
    for (; i < dims; i++) {
      float d = a[aOff + i] - b[bOff + i];
      s += d * d;
    }
    return s;
  }

  /** Dot products of {@code q} with four rows of {@code v}, written to {@code out[outOff..outOff+3]}. */
  public static void dot4(float[] q, float[] v, int o0, int o1, int o2, int o3, int dims,
      float[] out, int outOff) {
    int bound = SPECIES.loopBound(dims);
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      a0 = vq.fma(FloatVector.fromArray(SPECIES, v, o0 + i), a0);
      a1 = vq.fma(FloatVector.fromArray(SPECIES, v, o1 + i), a1);
      a2 = vq.fma(FloatVector.fromArray(SPECIES, v, o2 + i), a2);
      a3 = vq.fma(FloatVector.fromArray(SPECIES, v, o3 + i), a3);
    }
    float s0 = sum(a0), s1 = sum(a1);
    float s2 = sum(a2), s3 = sum(a3);
    for (; i < dims; i++) {
      float x = q[i];
      s0 += x * v[o0 + i];
      s1 += x * v[o1 + i];
      s2 += x * v[o2 + i];
      s3 += x * v[o3 + i];
    }
    out[outOff] = s0;
    out[outOff + 1] = s1;
    out[outOff + 2] = s2;
    out[outOff + 3] = s3;
  }

  /** Squared L2 distances of {@code q} to four rows of {@code v}, written to {@code out[outOff..outOff+3]}. */
  public static void squaredL2x4(float[] q, float[] v, int o0, int o1, int o2, int o3, int dims,
      float[] out, int outOff) {
    int bound = SPECIES.loopBound(dims);
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      FloatVector d0 = vq.sub(FloatVector.fromArray(SPECIES, v, o0 + i));
      FloatVector d1 = vq.sub(FloatVector.fromArray(SPECIES, v, o1 + i));
      FloatVector d2 = vq.sub(FloatVector.fromArray(SPECIES, v, o2 + i));
      FloatVector d3 = vq.sub(FloatVector.fromArray(SPECIES, v, o3 + i));
      a0 = d0.fma(d0, a0);
      a1 = d1.fma(d1, a1);
      a2 = d2.fma(d2, a2);
      a3 = d3.fma(d3, a3);
    }
    float s0 = sum(a0), s1 = sum(a1);
    float s2 = sum(a2), s3 = sum(a3);
    for (; i < dims; i++) {
      float x = q[i];
      float d0 = x - v[o0 + i], d1 = x - v[o1 + i], d2 = x - v[o2 + i], d3 = x - v[o3 + i];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[outOff] = s0;
    out[outOff + 1] = s1;
    out[outOff + 2] = s2;
    out[outOff + 3] = s3;
  }

  /** Dot product of {@code q} with the little-endian row at byte offset {@code off} of {@code seg}. */
  public static float dot(float[] q, MemorySegment seg, long off, int dims) {
    int bound = SPECIES.loopBound(dims);
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += LANES) {
      acc = FloatVector.fromArray(SPECIES, q, i)
          .fma(FloatVector.fromMemorySegment(SPECIES, seg, off + (long) i * Float.BYTES, LE), acc);
    }
    float s = sum(acc);
    for (; i < dims; i++) {
      s += q[i] * seg.get(LittleEndian.FLOAT, off + (long) i * Float.BYTES);
    }
    return s;
  }

  /** Squared L2 distance of {@code q} to the little-endian row at byte offset {@code off} of {@code seg}. */
  public static float squaredL2(float[] q, MemorySegment seg, long off, int dims) {
    int bound = SPECIES.loopBound(dims);
    FloatVector acc = FloatVector.zero(SPECIES);
    int i = 0;
    for (; i < bound; i += LANES) {
      FloatVector d = FloatVector.fromArray(SPECIES, q, i)
          .sub(FloatVector.fromMemorySegment(SPECIES, seg, off + (long) i * Float.BYTES, LE));
      acc = d.fma(d, acc);
    }
    float s = sum(acc);
    for (; i < dims; i++) {
      float d = q[i] - seg.get(LittleEndian.FLOAT, off + (long) i * Float.BYTES);
      s += d * d;
    }
    return s;
  }

  /** Dot products of {@code q} with four little-endian rows of {@code seg} at byte offsets {@code o0..o3}. */
  public static void dot4(float[] q, MemorySegment seg, long o0, long o1, long o2, long o3, int dims,
      float[] out, int outOff) {
    int bound = SPECIES.loopBound(dims);
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int i = 0;
    for (; i < bound; i += LANES) {
      long b = (long) i * Float.BYTES;
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      a0 = vq.fma(FloatVector.fromMemorySegment(SPECIES, seg, o0 + b, LE), a0);
      a1 = vq.fma(FloatVector.fromMemorySegment(SPECIES, seg, o1 + b, LE), a1);
      a2 = vq.fma(FloatVector.fromMemorySegment(SPECIES, seg, o2 + b, LE), a2);
      a3 = vq.fma(FloatVector.fromMemorySegment(SPECIES, seg, o3 + b, LE), a3);
    }
    float s0 = sum(a0), s1 = sum(a1);
    float s2 = sum(a2), s3 = sum(a3);
    for (; i < dims; i++) {
      long b = (long) i * Float.BYTES;
      float x = q[i];
      s0 += x * seg.get(LittleEndian.FLOAT, o0 + b);
      s1 += x * seg.get(LittleEndian.FLOAT, o1 + b);
      s2 += x * seg.get(LittleEndian.FLOAT, o2 + b);
      s3 += x * seg.get(LittleEndian.FLOAT, o3 + b);
    }
    out[outOff] = s0;
    out[outOff + 1] = s1;
    out[outOff + 2] = s2;
    out[outOff + 3] = s3;
  }

  /** Squared L2 distances of {@code q} to four little-endian rows of {@code seg} at byte offsets {@code o0..o3}. */
  public static void squaredL2x4(float[] q, MemorySegment seg, long o0, long o1, long o2, long o3,
      int dims, float[] out, int outOff) {
    int bound = SPECIES.loopBound(dims);
    FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
    int i = 0;
    for (; i < bound; i += LANES) {
      long b = (long) i * Float.BYTES;
      FloatVector vq = FloatVector.fromArray(SPECIES, q, i);
      FloatVector d0 = vq.sub(FloatVector.fromMemorySegment(SPECIES, seg, o0 + b, LE));
      FloatVector d1 = vq.sub(FloatVector.fromMemorySegment(SPECIES, seg, o1 + b, LE));
      FloatVector d2 = vq.sub(FloatVector.fromMemorySegment(SPECIES, seg, o2 + b, LE));
      FloatVector d3 = vq.sub(FloatVector.fromMemorySegment(SPECIES, seg, o3 + b, LE));
      a0 = d0.fma(d0, a0);
      a1 = d1.fma(d1, a1);
      a2 = d2.fma(d2, a2);
      a3 = d3.fma(d3, a3);
    }
    float s0 = sum(a0), s1 = sum(a1);
    float s2 = sum(a2), s3 = sum(a3);
    for (; i < dims; i++) {
      long b = (long) i * Float.BYTES;
      float x = q[i];
      float d0 = x - seg.get(LittleEndian.FLOAT, o0 + b), d1 = x - seg.get(LittleEndian.FLOAT, o1 + b);
      float d2 = x - seg.get(LittleEndian.FLOAT, o2 + b), d3 = x - seg.get(LittleEndian.FLOAT, o3 + b);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    out[outOff] = s0;
    out[outOff + 1] = s1;
    out[outOff + 2] = s2;
    out[outOff + 3] = s3;
  }

  /** Scales {@code v} in place to unit length; the zero vector is left as it is. */
  public static void normalize(float[] v) {
    float norm = (float) Math.sqrt(dot(v, 0, v, 0, v.length));
    if (norm > 0 && norm != 1f) {
      float inv = 1f / norm;
      for (int i = 0; i < v.length; i++) {
        v[i] *= inv;
      }
    }
  }

  private static void checkDims(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("dimension mismatch: " + a + " vs " + b);
    }
  }
}
