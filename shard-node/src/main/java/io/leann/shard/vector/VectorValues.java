package io.leann.shard.vector;

/**
 * Random access to {@code size()} vectors of {@code dims()} floats, addressed by node id
 * {@code 0..size()-1}. The kernels are methods here, not loops in callers, so each storage (a heap
 * array while building, a mapped file section when searching) uses the access path that suits it.
 * Implementations are immutable once built and safe for concurrent readers.
 */
public interface VectorValues {

  int size();

  int dims();

  /** Copies vector {@code node} into {@code dst[0..dims)}. */
  void copyTo(int node, float[] dst);

  float dot(float[] query, int node);

  float squaredL2(float[] query, int node);

  /** Dot products of {@code query} with four vectors, written to {@code out[off..off+3]}. */
  void dot4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off);

  /** Squared L2 distances of {@code query} to four vectors, written to {@code out[off..off+3]}. */
  void squaredL2x4(float[] query, int n0, int n1, int n2, int n3, float[] out, int off);

  float dotBetween(int a, int b);

  float squaredL2Between(int a, int b);

  /** Bytes the vectors occupy. */
  long byteSize();
}
