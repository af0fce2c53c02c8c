package io.leann.shard.vector;

import java.util.Arrays;

/**
 * Vectors in one flat row-major {@code float[]}: row {@code i} starts at {@code i * dims}. The
 * layout keeps rows contiguous for the SIMD kernels and costs one object for the whole set, which
 * is what a build wants; it is limited to {@code Integer.MAX_VALUE} floats, so larger sets are
 * built as several shards. Immutable after construction; safe for concurrent readers.
 */
public final class ArrayVectors implements VectorValues {
  private final float[] data;
  private final int dims;
  private final int size;

  /**
   * Wraps {@code data} (not copied).
   *
   * @throws IllegalArgumentException if {@code data.length} is not a multiple of {@code dims}
   */
  public ArrayVectors(float[] data, int dims) {
    if (dims <= 0) {
      throw new IllegalArgumentException("dims must be positive: " + dims);
    }
    if (data.length % dims != 0) {
      throw new IllegalArgumentException(
          "vector data of " + data.length + " floats is not a whole number of " + dims + "-d rows");
    }
    this.data = data;
    this.dims = dims;
    this.size = data.length / dims;
  }

  /**
   * Copies {@code rows} into a flat array, L2-normalising each row if {@code normalise} (cosine
   * indexes compare unit vectors).
   */
  public static ArrayVectors copyOf(float[][] rows, boolean normalise) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("no vectors");
    }
    int dims = rows[0].length;
    if ((long) rows.length * dims > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(rows.length + " x " + dims + " floats exceed one array; build shards");
    }
    float[] flat = new float[rows.length * dims];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != dims) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " dimensions, expected " + dims);
      }
      System.arraycopy(rows[i], 0, flat, i * dims, dims);
    }
    ArrayVectors v = new ArrayVectors(flat, dims);
    if (normalise) {
      v.normaliseRows();
    }
    return v;
  }

  /** L2-normalises every row in place; zero rows stay zero. */
  public void normaliseRows() {
    float[] row = new float[dims];
    for (int i = 0; i < size; i++) {
      System.arraycopy(data, i * dims, row, 0, dims);
      VectorDistances.normalize(row);
      System.arraycopy(row, 0, data, i * dims, dims);
    }
  }

  /** The backing array (not a copy): row {@code i} starts at {@code i * dims()}. */
  public float[] data() {
    return data;
  }

  /** A copy of rows {@code [from, to)}. */
  public ArrayVectors slice(int from, int to) {
    return new ArrayVectors(Arrays.copyOfRange(data, from * dims, to * dims), dims);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dims() {
    return dims;
  }

  @Override
  public void copyTo(int node, float[] dst) {
    System.arraycopy(data, node * dims, dst, 0, dims);
  }

  @Override
  public float dot(float[] query, int node) {
    return VectorDistances.dot(query, 0, data, node * dims, dims);
  }

  @Override
  public float squaredL2(float[] query, int node) {
    return VectorDistances.squaredL2(query, 0, data, node * dims, dims);
  }

  @Override
  public void dot4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off) {
    VectorDistances.dot4(query, data, n0 * dims, n1 * dims, n2 * dims, n3 * dims, dims, out, off);
  }

  @Override
  public void squaredL2x4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off) {
    VectorDistances.squaredL2x4(query, data, n0 * dims, n1 * dims, n2 * dims, n3 * dims, dims, out, off);
  }

  @Override
  public float dotBetween(int a, int b) {
    return VectorDistances.dot(data, a * dims, data, b * dims, dims);
  }

  @Override
  public float squaredL2Between(int a, int b) {
    return VectorDistances.squaredL2(data, a * dims, data, b * dims, dims);
  }

  @Override
  public long byteSize() {
    return (long) data.length * Float.BYTES;
  }
}
