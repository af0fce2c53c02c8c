package io.leann.coordinator.rag;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A language model that streams its answer.
 *
 * <p>{@link #stream} starts the request and returns at once; tokens reach {@code onToken} in
 * order, on one thread, as the provider sends them; the future completes with the whole answer.
 * Cancelling the future ({@code cancel(true)}) aborts the request to the provider, so a client
 * that hangs up stops the generation it asked for. Failures complete the future with an
 * {@link LlmException}.
 *
 * <p>Implementations are thread-safe: one model serves concurrent requests.
 */
public interface ChatModel extends AutoCloseable {

  /** Who answers, {@code provider/model} (e.g. {@code ollama/qwen3:8b}), or {@code extractive}. */
  String name();

  /** Starts generating; see the class comment. */
  CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken);

  /**
   * The whole answer, blocking until it is complete. An interrupt cancels the request.
   *
   * @throws LlmException when the model cannot answer
   */
  default String complete(LlmRequest request) {
    return await(stream(request, token -> {}));
  }

  /** Releases connections; the default holds none. */
  @Override
  default void close() {}

  /**
   * Waits for a generation (or anything built on one); an interrupt cancels it, failures come out
   * as {@link LlmException}.
   *
   * @throws LlmException when the generation failed or was cancelled; other runtime failures
   *     (of a retrieval the future was built on) are rethrown as they are
   */
  static <T> T await(CompletableFuture<T> generation) {
    try {
      return generation.get();
    } catch (InterruptedException e) {
      generation.cancel(true);
      Thread.currentThread().interrupt();
      throw new LlmException(LlmException.Kind.CANCELLED, "interrupted while waiting for the model", e);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      // Failures before the model ran (an unknown index, a broken search) keep their own type.
      if (cause instanceof RuntimeException r && !(cause instanceof CancellationException)) {
        throw r;
      }
      throw unwrap(cause);
    }
  }

  /** The {@link LlmException} a failed future carries, or one wrapping what it carries instead. */
  static LlmException unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof LlmException e) {
      return e;
    }
    if (cause instanceof CancellationException) {
      return new LlmException(LlmException.Kind.CANCELLED, "the request was cancelled", cause);
    }
    return new LlmException(LlmException.Kind.PROTOCOL, "the model failed: " + cause, cause);
  }
}
