package io.leann.embed;

import java.util.List;

/**
 * Turns texts into embedding vectors. One interface over the local ONNX model and the remote
 * providers (OpenAI-compatible, Ollama, Gemini), so the build pipeline, the query path and the
 * recompute workers do not care which one runs.
 *
 * <p>Implementations are thread-safe, return one vector of {@link #dimensions()} floats per input
 * text in input order, and split a large input into batches the backend accepts themselves. They
 * do not normalise unless the model itself does; callers that need unit vectors (cosine) normalise.
 */
public interface Embedder extends AutoCloseable {

  /**
   * Embeds {@code texts}.
   *
   * @throws EmbeddingException with a message naming the provider and what to fix
   */
  float[][] embed(List<String> texts);

  /** Length of every vector this embedder returns. */
  int dimensions();

  /** Model identifier as recorded in index metadata (e.g. {@code sentence-transformers/all-MiniLM-L6-v2}). */
  String modelId();

  /** Longest input, in model tokens, that is embedded without truncation. */
  int maxTokens();

  /**
   * The {@code max_seq_length} embedding option this embedder applies (tokens per text, [CLS] and
   * [SEP] included), or null when it embeds as its model does by default. Two embedders of one
   * model give comparable vectors only when this matches, so an index records it and the embed
   * workers that serve the index must apply the same.
   */
  default Integer maxSeqLength() {
    return null;
  }

  /**
   * Runs the model once so that its first real request does not pay for the set-up (session
   * allocation, first inference). A no-op for remote providers, where it would be a billed call.
   */
  default void warmUp() {}

  @Override
  default void close() {}
}
