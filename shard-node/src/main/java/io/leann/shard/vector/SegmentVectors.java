package io.leann.shard.vector;

import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.MemorySegment;

/**
 * Vectors read in place from a little-endian {@link MemorySegment}, typically a section of a
 * memory-mapped index file: rows are addressed with long byte offsets, so sets past 2 GiB work.
 * The segment's lifetime is the caller's (its arena); this class only reads. Safe for concurrent
 * readers while the segment is alive.
 */
public final class SegmentVectors implements VectorValues {
  private final MemorySegment segment;
  private final int dims;
  private final int size;
  private final long rowBytes;

  public SegmentVectors(MemorySegment segment, int dims, int size) {
    this.rowBytes = (long) dims * Float.BYTES;
    if (segment.byteSize() != rowBytes * size) {
      throw new IllegalArgumentException("vector section holds " + segment.byteSize()
          + " bytes, expected " + size + " x " + dims + " floats");
    }
    this.segment = segment;
    this.dims = dims;
    this.size = size;
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
    MemorySegment.copy(segment, LittleEndian.FLOAT, node * rowBytes, dst, 0, dims);
  }

  @Override
  public float dot(float[] query, int node) {
    return VectorDistances.dot(query, segment, node * rowBytes, dims);
  }

  @Override
  public float squaredL2(float[] query, int node) {
    return VectorDistances.squaredL2(query, segment, node * rowBytes, dims);
  }

  @Override
  public void dot4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off) {
    VectorDistances.dot4(query, segment, n0 * rowBytes, n1 * rowBytes, n2 * rowBytes, n3 * rowBytes,
        dims, out, off);
  }

  @Override
  public void squaredL2x4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off) {
    VectorDistances.squaredL2x4(query, segment, n0 * rowBytes, n1 * rowBytes, n2 * rowBytes,
        n3 * rowBytes, dims, out, off);
  }

  @Override
  public float dotBetween(int a, int b) {
    float[] row = new float[dims];
    copyTo(a, row);
    return dot(row, b);
  }

  @Override
  public float squaredL2Between(int a, int b) {
    float[] row = new float[dims];
    copyTo(a, row);
    return squaredL2(row, b);
  }

  @Override
  public long byteSize() {
    return segment.byteSize();
  }
}
