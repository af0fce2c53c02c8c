package io.leann.shard.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.leann.protocol.Metric;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SimilarityTest {
  private static final int DIMS = 37;

  @Test
  void eachMetricRanksByItsEngineDistance() {
    assertEquals(Similarity.SQUARED_L2, Similarity.of(Metric.L2));
    assertEquals(Similarity.NEGATED_DOT, Similarity.of(Metric.INNER_PRODUCT));
    assertEquals(Similarity.NEGATED_DOT, Similarity.of(Metric.COSINE));
  }

  @Test
  void queryToNodeNodeToNodeAndArraysAgreeWithTheScalarDefinition() {
    Random random = new Random(7);
    float[][] rows = new float[11][DIMS];
    for (float[] row : rows) {
      for (int i = 0; i < DIMS; i++) {
        row[i] = random.nextFloat() * 2 - 1;
      }
    }
    ArrayVectors vectors = ArrayVectors.copyOf(rows, false);
    float[] query = rows[3].clone();
    query[0] += 0.5f;
    int[] nodes = {10, 0, 4, 7, 2, 9, 1};
    for (Similarity s : Similarity.values()) {
      float[] batch = new float[nodes.length];
      s.distances(query, vectors, nodes, nodes.length, batch);
      for (int i = 0; i < nodes.length; i++) {
        float[] v = rows[nodes[i]];
        float expected = s == Similarity.SQUARED_L2 ? ScalarDistances.squaredL2(query, v)
            : -ScalarDistances.dot(query, v);
        assertEquals(expected, s.distance(query, v), 1e-4f, s + " arrays, node " + nodes[i]);
        assertEquals(expected, s.distance(query, vectors, nodes[i]), 1e-4f, s + " query to node " + nodes[i]);
        assertEquals(expected, batch[i], 1e-4f, s + " batch, node " + nodes[i]);
        float between = s == Similarity.SQUARED_L2 ? ScalarDistances.squaredL2(rows[5], v)
            : -ScalarDistances.dot(rows[5], v);
        assertEquals(between, s.distanceBetween(vectors, 5, nodes[i]), 1e-4f, s + " node to node " + nodes[i]);
      }
    }
  }
}
