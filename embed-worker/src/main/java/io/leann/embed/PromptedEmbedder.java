package io.leann.embed;

import java.util.List;
import java.util.Objects;

/**
 * An embedder that prepends a fixed prompt (an index's passage or query template, such as
 * {@code "passage: "}) to every text before the wrapped embedder sees it. A view: it shares the
 * wrapped embedder and {@link #close()} leaves it open, since one model usually serves queries and
 * passages through two views.
 *
 * <p>Thread-safe if the wrapped embedder is.
 */
public final class PromptedEmbedder implements Embedder {
  private final Embedder base;
  private final String prompt;

  private PromptedEmbedder(Embedder base, String prompt) {
    this.base = base;
    this.prompt = prompt;
  }

  /**
   * {@code base} itself when {@code prompt} is null or empty, otherwise a prefixing view of it.
   * Either way the caller closes {@code base}, never the result.
   */
  public static Embedder of(Embedder base, String prompt) {
    Objects.requireNonNull(base, "base");
    return prompt == null || prompt.isEmpty() ? base : new PromptedEmbedder(base, prompt);
  }

  @Override
  public float[][] embed(List<String> texts) {
    return base.embed(texts.stream().map(t -> prompt + t).toList());
  }

  @Override
  public int dimensions() {
    return base.dimensions();
  }

  @Override
  public String modelId() {
    return base.modelId();
  }

  @Override
  public int maxTokens() {
    return base.maxTokens();
  }

  /** Leaves the wrapped embedder open: its owner closes it. */
  @Override
  public void close() {}
}
