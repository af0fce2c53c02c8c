package io.leann.coordinator.rag;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The threading of every {@link ChatModel} here: each generation runs on its own virtual thread,
 * which blocks on the provider's stream; cancelling the returned future interrupts that thread,
 * which aborts the HTTP exchange ({@link StreamingHttp}).
 */
abstract class StreamingChatModel implements ChatModel {

  @Override
  public final CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    Thread worker = Thread.ofVirtual().name("leann-llm-" + name()).unstarted(() -> {
      try {
        answer.complete(generate(request, token -> {
          // A cancelled generation may still be mid-line; its tokens must not reach the caller.
          if (!answer.isDone()) {
            onToken.accept(token);
          }
        }));
      } catch (Throwable t) {
        answer.completeExceptionally(t instanceof LlmException ? t : ChatModel.unwrap(t));
      }
    });
    answer.whenComplete((value, failure) -> {
      if (answer.isCancelled()) {
        worker.interrupt();
      }
    });
    worker.start();
    return answer;
  }

  /**
   * Generates the answer on the calling (virtual) thread, handing each token to {@code onToken}.
   *
   * @return the whole answer
   * @throws LlmException when the provider cannot answer; interrupt means cancelled
   */
  abstract String generate(LlmRequest request, Consumer<String> onToken);
}
