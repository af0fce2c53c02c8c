package io.leann.embed.worker;

import io.leann.protocol.cache.EmbeddingCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An {@link AsyncEmbedder} that remembers embeddings by text across requests and shards: popular
 * passages (hubs, list footers, the neighbourhoods of frequent queries) are embedded once per
 * worker instead of once per search. Only the texts missing from the cache go to the model, in one
 * call; the answer keeps the request's order.
 *
 * <p>Thread-safe, as the cache and the delegate are. Returned vectors may be shared with later
 * callers: callers must not modify them.
 */
public final class CachingEmbedder implements AsyncEmbedder {
  private final AsyncEmbedder delegate;
  private final EmbeddingCache<String> cache;

  public CachingEmbedder(AsyncEmbedder delegate, EmbeddingCache<String> cache) {
    this.delegate = delegate;
    this.cache = cache;
  }

  @Override
  public CompletionStage<float[][]> embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    List<String> missing = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      float[] hit = cache.get(texts.get(i));
      if (hit != null) {
        out[i] = hit;
      } else {
        missing.add(texts.get(i));
        positions.add(i);
      }
    }
    if (missing.isEmpty()) {
      return CompletableFuture.completedFuture(out);
    }
    return delegate.embed(missing).thenApply(vectors -> {
      if (vectors.length != missing.size()) {
        throw new IllegalStateException("the model returned " + vectors.length + " embeddings for "
            + missing.size() + " texts");
      }
      for (int j = 0; j < vectors.length; j++) {
        out[positions.get(j)] = vectors[j];
        cache.put(missing.get(j), vectors[j]);
      }
      return out;
    });
  }

  @Override
  public int dimensions() {
    return delegate.dimensions();
  }

  @Override
  public String modelId() {
    return delegate.modelId();
  }

  public EmbeddingCache.Stats cacheStats() {
    return cache.stats();
  }
}
