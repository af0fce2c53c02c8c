package io.leann.protocol;

/**
 * Computes the distances between a query and graph nodes whose embeddings are not stored: the
 * implementation recomputes each node's embedding (from its passage text, locally or through an
 * embed worker) and measures it against the query. This is how a search over a pruned index pays
 * for the storage it does not use.
 *
 * <p>The searcher calls {@link #distances} once per expansion step with the batch of unvisited
 * neighbours, so an implementation can send one request per batch. Distances follow {@link Metric}:
 * lower is closer. Implementations are used by one search thread at a time unless they say
 * otherwise.
 */
public interface Recomputer extends AutoCloseable {

  /**
   * Writes into {@code out[i]} the distance from {@code query} to node {@code ids[i]}, for every
   * {@code i < count}.
   *
   * @throws RecomputeException if the distances could not be obtained (a dead worker, a timeout)
   */
  void distances(float[] query, int[] ids, int count, float[] out);

  @Override
  default void close() {}
}
