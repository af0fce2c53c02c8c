package io.leann.embed.worker;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Embedding as a service: texts in, a stage completing with one vector per text. Lets code that
 * must not block (a socket loop) use the embed pool without knowing it is made of actors.
 * Implementations are thread-safe.
 */
public interface AsyncEmbedder {

  /**
   * Embeds {@code texts}. The stage fails, rather than this method throwing, when the embedding
   * cannot be done; with a {@link java.util.concurrent.TimeoutException} if its deadline passed.
   */
  CompletionStage<float[][]> embed(List<String> texts);

  /** Length of every vector. */
  int dimensions();

  /** Model identifier, as the Python LEANN's {@code __QUERY_MODEL__} reports it. */
  String modelId();
}
