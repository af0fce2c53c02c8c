package io.leann.coordinator.search;

import io.leann.embed.Embedder;
import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.Recomputer;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorDistances;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * Recomputes embeddings in process: reads the passage text of each requested node from the
 * passage store, embeds the batch with the index's own model and measures it against the query.
 * This is the CLI's recompute path (no server). Fresh embeddings are normalised for cosine, so
 * recompute search agrees with stored-vector search (the Python LEANN skips this).
 *
 * <p>Keeps a per-query cache, reset when the query changes, so no node is embedded twice in one
 * search. One search at a time: not thread-safe.
 */
public final class EmbedderRecomputer implements Recomputer, NodeEmbedder {
  private final Embedder embedder;
  private final PassageStore passages;
  private final long firstRow;
  private final Metric metric;
  private final Similarity similarity;
  private final HashMap<Integer, Float> cache = new HashMap<>();
  private float[] cachedQuery;

  /**
   * @param firstRow passage row of graph node 0 (the shard's offset)
   */
  public EmbedderRecomputer(Embedder embedder, PassageStore passages, long firstRow, Metric metric) {
    this.embedder = embedder;
    this.passages = passages;
    this.firstRow = firstRow;
    this.metric = metric;
    this.similarity = Similarity.of(metric);
  }

  @Override
  public float[][] embeddings(int[] ids, int count) {
    List<String> texts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      texts.add(text(ids[i]));
    }
    return embedder.embed(texts);
  }

  @Override
  public void distances(float[] query, int[] ids, int count, float[] out) {
    if (query != cachedQuery) {
      cache.clear();
      cachedQuery = query;
    }
    List<String> texts = new ArrayList<>();
    int[] missing = new int[count];
    int m = 0;
    for (int i = 0; i < count; i++) {
      Float hit = cache.get(ids[i]);
      if (hit != null) {
        out[i] = hit;
      } else {
        missing[m++] = i;
        texts.add(text(ids[i]));
      }
    }
    if (m == 0) {
      return;
    }
    float[][] vectors = embedder.embed(texts);
    for (int j = 0; j < m; j++) {
      float[] v = vectors[j];
      if (v.length != query.length) {
        throw new RecomputeException("model " + embedder.modelId() + " returned " + v.length
            + "-d embeddings but the index has " + query.length);
      }
      if (metric.normalises()) {
        VectorDistances.normalize(v);
      }
      float d = similarity.distance(query, v);
      int i = missing[j];
      out[i] = d;
      cache.put(ids[i], d);
    }
  }

  /** @throws UncheckedIOException around the passage's corruption, which {@link LocalIndex} reports */
  private String text(int node) {
    try {
      return passages.get(firstRow + node).text();
    } catch (PassageStoreException e) {
      throw new UncheckedIOException(e);
    }
  }
}
