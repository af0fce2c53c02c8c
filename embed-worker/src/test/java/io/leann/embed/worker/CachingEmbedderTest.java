package io.leann.embed.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.leann.protocol.cache.EmbeddingCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class CachingEmbedderTest {
  /** Embeds a text as {length, first char}; records what it was asked. */
  private static final class Recording implements AsyncEmbedder {
    final List<List<String>> calls = new ArrayList<>();
    boolean fail;

    @Override
    public CompletionStage<float[][]> embed(List<String> texts) {
      calls.add(List.copyOf(texts));
      if (fail) {
        return CompletableFuture.failedFuture(new IllegalStateException("model down"));
      }
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = new float[] {texts.get(i).length(), texts.get(i).charAt(0)};
      }
      return CompletableFuture.completedFuture(out);
    }

    @Override
    public int dimensions() {
      return 2;
    }

    @Override
    public String modelId() {
      return "recording";
    }
  }

  @Test
  void onlyTextsMissingFromTheCacheReachTheModelAndOrderIsKept() {
    Recording model = new Recording();
    CachingEmbedder embedder = new CachingEmbedder(model, new EmbeddingCache<>(1 << 20));
    float[][] first = embedder.embed(List.of("alpha", "bb", "alpha")).toCompletableFuture().join();
    assertArrayEquals(new float[] {5, 'a'}, first[0]);
    assertArrayEquals(new float[] {2, 'b'}, first[1]);
    float[][] second = embedder.embed(List.of("ccc", "alpha", "bb")).toCompletableFuture().join();
    assertEquals(List.of(List.of("alpha", "bb", "alpha"), List.of("ccc")), model.calls);
    assertArrayEquals(new float[] {3, 'c'}, second[0]);
    assertArrayEquals(first[0], second[1]);
    assertArrayEquals(first[1], second[2]);
    EmbeddingCache.Stats s = embedder.cacheStats();
    assertEquals(2, s.hits());
    assertEquals(4, s.misses());
    embedder.embed(List.of("bb", "ccc")).toCompletableFuture().join();
    assertEquals(2, model.calls.size(), "a request the cache covers makes no model call");
  }

  @Test
  void aFailedModelCallFailsTheRequestAndCachesNothing() {
    Recording model = new Recording();
    model.fail = true;
    CachingEmbedder embedder = new CachingEmbedder(model, new EmbeddingCache<>(1 << 20));
    assertThrows(CompletionException.class, () -> embedder.embed(List.of("x")).toCompletableFuture().join());
    model.fail = false;
    embedder.embed(List.of("x")).toCompletableFuture().join();
    assertEquals(2, model.calls.size());
    assertEquals(0, embedder.cacheStats().hits());
  }
}
