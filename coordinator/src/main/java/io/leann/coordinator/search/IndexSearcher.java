package io.leann.coordinator.search;

import io.leann.coordinator.index.IndexLayout;
import io.leann.embed.Embedder;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Text-in, passages-out search over a {@link LocalIndex}: embeds the query with the model the
 * index was built with and, in recompute mode, embeds the visited passages with the same model
 * in process. Owns the index and the embedder; close it to release both.
 */
public final class IndexSearcher implements AutoCloseable {
  private final LocalIndex index;
  private final Embedder embedder;

  private IndexSearcher(LocalIndex index, Embedder embedder) {
    this.index = index;
    this.embedder = embedder;
  }

  public static IndexSearcher open(IndexLayout layout, Map<String, String> env) throws IOException {
    LocalIndex index = LocalIndex.open(layout);
    try {
      return new IndexSearcher(index, Embedders.forIndex(index.meta(), env));
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
  }

  public LocalIndex index() {
    return index;
  }

  /**
   * @param recompute true/false to force a mode; null picks recompute only when no vectors are stored
   */
  public List<SearchHit> search(String query, int k, int ef, Boolean recompute) throws IOException {
    boolean useRecompute = recompute != null ? recompute : !index.hasVectors();
    float[] q = embedQuery(query);
    return index.search(q, k, ef, useRecompute ? embedder : null, null);
  }

  /** The query's embedding, normalised for cosine indexes. */
  public float[] embedQuery(String query) {
    float[] q = embedder.embed(List.of(query))[0];
    if (index.metric().normalises()) {
      VectorDistances.normalize(q);
    }
    return q;
  }

  @Override
  public void close() {
    index.close();
    embedder.close();
  }
}
