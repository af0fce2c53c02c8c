package io.leann.embed.remote;

import io.leann.embed.Embedder;
import io.leann.embed.EmbeddingException;
import java.util.List;
import java.util.Objects;

/**
 * What the remote providers share: splitting a call into requests the provider accepts, and
 * checking every answer before anything is returned, so that a wrong model can never put vectors
 * of the wrong size into an index.
 *
 * <p>Invariants: {@link #embed} returns exactly one vector per text, in input order, all of
 * {@link #dimensions()} finite floats, or throws. The dimension count is either configured (every
 * answer must match it) or learnt from the first answer, probing with a one-word text if
 * {@link #dimensions()} is asked first; after that it never changes.
 *
 * <p>Thread-safe: subclasses keep no per-call state and the learnt dimension count is published
 * once under a lock.
 */
public abstract sealed class RemoteEmbedder implements Embedder
    permits OpenAiEmbedder, OllamaEmbedder, GeminiEmbedder {

  /** What LEANN embeds to learn a model's dimensions. */
  private static final String PROBE_TEXT = "dummy";

  private final Provider provider;
  private final String model;
  private final int batchSize;
  private final int maxTokens;
  private volatile int dimensions;

  RemoteEmbedder(Provider provider, String model, int dimensions, int batchSize, int maxTokens) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(provider.name() + " needs a model name");
    }
    if (dimensions < 0 || batchSize < 1 || maxTokens < 1) {
      throw new IllegalArgumentException("dimensions >= 0, batchSize and maxTokens > 0 expected: "
          + dimensions + ", " + batchSize + ", " + maxTokens);
    }
    this.provider = provider;
    this.model = model;
    this.dimensions = dimensions;
    this.batchSize = batchSize;
    this.maxTokens = maxTokens;
  }

  /** Embeds one request's worth of texts ({@code texts.size() <= batchSize}). */
  abstract float[][] embedBatch(List<String> texts);

  @Override
  public final float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    for (int i = 0; i < texts.size(); i++) {
      Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
    }
    float[][] out = new float[texts.size()][];
    for (int from = 0; from < out.length; from += batchSize) {
      List<String> batch = texts.subList(from, Math.min(out.length, from + batchSize));
      float[][] vectors = embedBatch(batch);
      if (vectors.length != batch.size()) {
        throw new EmbeddingException(provider.name() + " returned " + vectors.length
            + " vectors for " + batch.size() + " texts (model " + model + ")");
      }
      checkShape(vectors);
      System.arraycopy(vectors, 0, out, from, vectors.length);
    }
    return out;
  }

  /** The model's vector length: configured, learnt from an earlier answer, or probed now. */
  @Override
  public final int dimensions() {
    if (dimensions == 0) {
      embed(List.of(PROBE_TEXT));
    }
    return dimensions;
  }

  /**
   * Fails unless this model produces {@code expected}-dimensional vectors (probing once if not yet
   * known), so an index refuses a mismatched model before it writes anything.
   */
  public final void requireDimensions(int expected) {
    int actual = dimensions();
    if (actual != expected) {
      throw new EmbeddingException(provider.name() + " model " + model + " returns " + actual
          + "-dimensional vectors, but " + expected + " are required (the index was built with"
          + " another model?)");
    }
  }

  @Override
  public final String modelId() {
    return model;
  }

  @Override
  public final int maxTokens() {
    return maxTokens;
  }

  final Provider provider() {
    return provider;
  }

  private void checkShape(float[][] vectors) {
    for (int i = 0; i < vectors.length; i++) {
      float[] v = vectors[i];
      if (v == null || v.length == 0) {
        throw new EmbeddingException(provider.name() + " returned no vector for text " + i
            + " of a batch (model " + model + ")");
      }
      int known = dimensions;
      if (known == 0) {
        known = adoptDimensions(v.length);
      }
      if (v.length != known) {
        throw new EmbeddingException(provider.name() + " returned a " + v.length
            + "-dimensional vector where " + known + " dimensions are expected (model " + model
            + ")");
      }
      for (float x : v) {
        if (!Float.isFinite(x)) {
          throw new EmbeddingException(provider.name() + " returned a non-finite value (model "
              + model + ")");
        }
      }
    }
  }

  /** Publishes the first dimension count seen; returns the one in force. */
  private synchronized int adoptDimensions(int length) {
    if (dimensions == 0) {
      dimensions = length;
    }
    return dimensions;
  }
}
