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
 * JIT inlines, and the batch loop of a walk's step lives inside each constant, so the hot loops stay
 * as primitive as the {@code l2 ? ... : ...} branches they replace (bench {@code SimilarityBenchmark}).
 * Stateless and thread-safe.
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
    public void distances(float[] query, VectorValues vectors, int[] nodes, int count, float[] out) {
      int i = 0;
      for (; i + 4 <= count; i += 4) {
        vectors.squaredL2x4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
      }
      for (; i < count; i++) {
        out[i] = vectors.squaredL2(query, nodes[i]);
      }
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
    public void distances(float[] query, VectorValues vectors, int[] nodes, int count, float[] out) {
      int i = 0;
      for (; i + 4 <= count; i += 4) {
        vectors.dot4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
        out[i] = -out[i];
        out[i + 1] = -out[i + 1];
        out[i + 2] = -out[i + 2];
        out[i + 3] = -out[i + 3];
      }
      for (; i < count; i++) {
        out[i] = -vectors.dot(query, nodes[i]);
      }
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

  /**
   * Distances from {@code query} to stored vectors {@code nodes[0..count)} into {@code out}, four
   * at a time through the batch kernels. The loop lives in each constant, so a walk's step pays one
   * dispatch, not one per four nodes.
   */
  public abstract void distances(float[] query, VectorValues vectors, int[] nodes, int count, float[] out);
}
