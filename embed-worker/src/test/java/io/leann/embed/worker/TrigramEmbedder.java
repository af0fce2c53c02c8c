package io.leann.embed.worker;

import io.leann.embed.Embedder;
import io.leann.embed.EmbeddingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in for a real model: each character trigram of the lower-cased text, hashed
 * (FNV-1a), adds +1 or -1 to one of {@link #DIMS} dimensions, so similar texts get similar vectors
 * and the same text always gets the same one. Records the size of every call, can be slowed down to
 * make calls overlap, and fails any call containing the text {@link #FAIL}. Thread-safe.
 */
public final class TrigramEmbedder implements Embedder {
  public static final int DIMS = 64;
  public static final String MODEL_ID = "test/trigram-64";
  public static final String FAIL = "<fail>";

  private final Duration delay;
  private final List<Integer> callSizes = Collections.synchronizedList(new ArrayList<>());

  public TrigramEmbedder() {
    this(Duration.ZERO);
  }

  /** An embedder whose every call takes at least {@code delay}, like a model would. */
  public TrigramEmbedder(Duration delay) {
    this.delay = delay;
  }

  /** The vector of one text, as {@link #embed} computes it. */
  public static float[] vector(String text) {
    float[] v = new float[DIMS];
    String padded = "  " + text.toLowerCase(Locale.ROOT) + " ";
    byte[] bytes = padded.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 3 <= bytes.length; i++) {
      int h = 0x811C9DC5;
      for (int j = i; j < i + 3; j++) {
        h = (h ^ (bytes[j] & 0xFF)) * 0x01000193;
      }
      v[Math.floorMod(h, DIMS)] += (h & 0x8000_0000) == 0 ? 1f : -1f;
    }
    return v;
  }

  @Override
  public float[][] embed(List<String> texts) {
    callSizes.add(texts.size());
    if (texts.contains(FAIL)) {
      throw new EmbeddingException("test model refuses " + FAIL);
    }
    if (delay.isPositive()) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddingException("interrupted", e);
      }
    }
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = vector(texts.get(i));
    }
    return out;
  }

  /** Texts per model call so far, in call order. */
  public List<Integer> callSizes() {
    synchronized (callSizes) {
      return List.copyOf(callSizes);
    }
  }

  @Override
  public int dimensions() {
    return DIMS;
  }

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  @Override
  public int maxTokens() {
    return 512;
  }
}
