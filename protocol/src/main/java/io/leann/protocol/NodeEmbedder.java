package io.leann.protocol;

/**
 * Recomputes the embeddings of graph nodes from their passages, for searches that rank with their
 * own exact distances (the two-level search) and cache embeddings across queries. A
 * {@link Recomputer} returns only distances to one query; this returns the vectors themselves.
 *
 * <p>Vectors are the model's output as is: the caller normalises them if its metric needs it.
 * Implementations are used by one search thread at a time unless they say otherwise; whoever
 * creates one closes it.
 */
public interface NodeEmbedder {

  /**
   * The embeddings of nodes {@code ids[0..count)}, in order.
   *
   * @throws RecomputeException if they could not be obtained (a dead worker, a timeout)
   */
  float[][] embeddings(int[] ids, int count);
}
