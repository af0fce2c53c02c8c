package io.leann.shard.vector;

import io.leann.protocol.Metric;

/**
 * The engine distance of a {@link Metric}, in one place (as Lucene's
 * {@code VectorSimilarityFunction}): squared L2 for {@link Metric#L2}, the negated dot product for
 * {@link Metric#INNER_PRODUCT} and {@link Metric#COSINE} (cosine vectors are unit length, normalised
 * at build and once per query, so the dot product is the cosine). Lower is closer. Every distance
 * the engine takes, query to stored node, node to node, query to a recomputed embedding, and the
 * four-candidate batches, goes through here to the {@link VectorValues} and {@link VectorDistances}
 * kernels.
 *
 * <p>Two constants with constant-specific bodies: a call site sees at most two receivers, which the
 * JIT inlines, so the hot loops stay as primitive as the {@code l2 ? ... : ...} branches they
 * replace. Stateless and thread-safe.
 */
public enum Similarity {
  SQUARED_L2 {
    @Override
    public float distance(float[] a, float[] b) {
      return VectorDistances.squaredL2(a, b);
    }

    @Override
    public float distance(float[] query, VectorValues vectors, int node) {
      return vectors.squaredL2(query, node);
    }

    @Override
    public float distanceBetween(VectorValues vectors, int a, int b) {
      return vectors.squaredL2Between(a, b);
    }

    @Override
    public void distances4(float[] query, VectorValues vectors, int n0, int n1, int n2, int n3, float[] out,
        int off) {
      vectors.squaredL2x4(query, n0, n1, n2, n3, out, off);
    }
  },
  NEGATED_DOT {
    @Override
    public float distance(float[] a, float[] b) {
      return -VectorDistances.dot(a, b);
    }

    @Override
    public float distance(float[] query, VectorValues vectors, int node) {
      return -vectors.dot(query, node);
    }

    @Override
    public float distanceBetween(VectorValues vectors, int a, int b) {
      return -vectors.dotBetween(a, b);
    }

    @Override
    public void distances4(float[] query, VectorValues vectors, int n0, int n1, int n2, int n3, float[] out,
        int off) {
      vectors.dot4(query, n0, n1, n2, n3, out, off);
      out[off] = -out[off];
      out[off + 1] = -out[off + 1];
      out[off + 2] = -out[off + 2];
      out[off + 3] = -out[off + 3];
    }
  };

  /** The distance {@code metric} ranks by. */
  public static Similarity of(Metric metric) {
    return metric == Metric.L2 ? SQUARED_L2 : NEGATED_DOT;
  }

  /** Distance between two vectors of equal length (for cosine, both unit length). */
  public abstract float distance(float[] a, float[] b);

  /** Distance from {@code query} to stored vector {@code node}. */
  public abstract float distance(float[] query, VectorValues vectors, int node);

  /** Distance between stored vectors {@code a} and {@code b}. */
  public abstract float distanceBetween(VectorValues vectors, int a, int b);

  /** Distances from {@code query} to four stored vectors, written to {@code out[off..off+3]}. */
  public abstract void distances4(float[] query, VectorValues vectors, int n0, int n1, int n2, int n3,
      float[] out, int off);

  /**
   * Distances from {@code query} to stored vectors {@code nodes[0..count)} into {@code out}, four
   * at a time through the batch kernels.
   */
  public final void distances(float[] query, VectorValues vectors, int[] nodes, int count, float[] out) {
    int i = 0;
    for (; i + 4 <= count; i += 4) {
      distances4(query, vectors, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
    }
    for (; i < count; i++) {
      out[i] = distance(query, vectors, nodes[i]);
    }
  }
}
