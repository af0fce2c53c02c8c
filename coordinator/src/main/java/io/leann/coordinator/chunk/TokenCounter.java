package io.leann.coordinator.chunk;

/**
 * Measures text in the units a chunk budget is expressed in (tokens of the embedding model) and
 * tells where those units begin, so an over-long sentence or line can be cut on a token boundary.
 *
 * <p>Contract: {@code tokenStarts(text).length == count(text)}; the starts are strictly increasing
 * char offsets into {@code text}, each at a code-point boundary; whitespace is never a token.
 * Implementations must be thread-safe: one instance serves concurrent chunking.
 */
public interface TokenCounter {

  /** Number of tokens in {@code text}. */
  int count(String text);

  /** Char offsets in {@code text} where each token begins, ascending. */
  int[] tokenStarts(String text);
}
