package io.leann.coordinator.rag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Retrieval-augmented answers: search the index for the question, build the prompt
 * ({@link RagPrompt}) with the bounded conversation history ({@link ChatHistory}), and stream the
 * model's answer.
 *
 * <p>It works in two steps so a server can answer retrieval failures (unknown index, bad input)
 * with a plain HTTP error before it commits to a streamed response: {@link #prepare} retrieves and
 * builds the request, {@link Prepared#generate} runs the model. Cancelling the future
 * {@code generate} returns cancels the model's request.
 *
 * <p>Thread-safe when its retriever and model are.
 */
public final class RagChat {

  /**
   * How a question is answered.
   *
   * @param topK passages retrieved (LEANN's ask: 20)
   * @param complexity search beam, ef (LEANN's ask: 32)
   * @param recompute recompute embeddings of visited nodes; null lets the index decide
   * @param thinking reasoning budget, or null for the model's default
   * @param maxAnswerTokens upper bound on the answer
   * @param maxHistoryTokens budget for the earlier turns sent along
   */
  public record Options(int topK, int complexity, Boolean recompute, ThinkingBudget thinking, int maxAnswerTokens,
      int maxHistoryTokens) {

    public Options {
      if (topK < 1 || complexity < 1 || maxAnswerTokens < 1 || maxHistoryTokens < 0) {
        throw new IllegalArgumentException("topK, complexity and maxAnswerTokens must be positive, maxHistoryTokens"
            + " not negative: " + topK + ", " + complexity + ", " + maxAnswerTokens + ", " + maxHistoryTokens);
      }
    }

    /** LEANN's {@code ask} defaults: top 20 passages, complexity 32. */
    public static Options defaults() {
      return new Options(20, 32, null, null, LlmRequest.DEFAULT_MAX_TOKENS, ChatHistory.DEFAULT_MAX_TOKENS);
    }

    public Options withTopK(int k) {
      return new Options(k, complexity, recompute, thinking, maxAnswerTokens, maxHistoryTokens);
    }

    public Options withComplexity(int ef) {
      return new Options(topK, ef, recompute, thinking, maxAnswerTokens, maxHistoryTokens);
    }

    public Options withRecompute(Boolean mode) {
      return new Options(topK, complexity, mode, thinking, maxAnswerTokens, maxHistoryTokens);
    }

    public Options withThinking(ThinkingBudget budget) {
      return new Options(topK, complexity, recompute, budget, maxAnswerTokens, maxHistoryTokens);
    }

    public Options withMaxHistoryTokens(int tokens) {
      return new Options(topK, complexity, recompute, thinking, maxAnswerTokens, tokens);
    }
  }

  private final Retriever retriever;
  private final ChatModel model;
  private final Options options;

  public RagChat(Retriever retriever, ChatModel model, Options options) {
    this.retriever = retriever;
    this.model = model;
    this.options = options;
  }

  public ChatModel model() {
    return model;
  }

  /**
   * Retrieves passages for {@code question} and builds the model's request.
   *
   * @param history earlier turns, oldest first; trimmed to the token budget
   */
  public CompletionStage<Prepared> prepare(String question, List<Message> history) {
    long start = System.nanoTime();
    return retriever.retrieve(question, options.topK(), options.complexity(), options.recompute())
        .thenApply(passages -> {
          List<Message> messages = RagPrompt.messages(question,
              ChatHistory.bounded(history, options.maxHistoryTokens()), passages);
          LlmRequest request = new LlmRequest(messages, options.maxAnswerTokens(), options.thinking(), List.of(),
              new LlmRequest.Grounding(question, passages));
          return new Prepared(passages, request, start, System.nanoTime());
        });
  }

  /** {@link #prepare} then {@link Prepared#generate}; cancelling the result cancels the generation. */
  public CompletableFuture<RagAnswer> ask(String question, List<Message> history, Consumer<String> onToken) {
    CompletableFuture<CompletableFuture<RagAnswer>> started = prepare(question, history).toCompletableFuture()
        .thenApply(prepared -> prepared.generate(onToken));
    CompletableFuture<RagAnswer> answer = started.thenCompose(generation -> generation);
    answer.whenComplete((value, failure) -> {
      if (answer.isCancelled()) {
        started.thenAccept(generation -> generation.cancel(true));
      }
    });
    return answer;
  }

  /** A question with its passages and prompt, ready for the model. */
  public final class Prepared {
    private final List<Passage> passages;
    private final LlmRequest request;
    private final long startNanos;
    private final long preparedNanos;

    private Prepared(List<Passage> passages, LlmRequest request, long startNanos, long preparedNanos) {
      this.passages = passages;
      this.request = request;
      this.startNanos = startNanos;
      this.preparedNanos = preparedNanos;
    }

    /** The retrieved passages, best first: the answer's sources. */
    public List<Passage> passages() {
      return passages;
    }

    /** What the model will be asked. */
    public LlmRequest request() {
      return request;
    }

    /** Milliseconds spent on search and prompt assembly. */
    public double retrievalMillis() {
      return millis(preparedNanos - startNanos);
    }

    /** Who will answer. */
    public String modelName() {
      return model.name();
    }

    /**
     * Streams the answer to {@code onToken}; the future completes with the whole answer and its
     * timing, or fails with an {@link LlmException}. Cancelling it cancels the model's request.
     */
    public CompletableFuture<RagAnswer> generate(Consumer<String> onToken) {
      long generationStart = System.nanoTime();
      AtomicLong firstToken = new AtomicLong();
      CompletableFuture<String> text = model.stream(request, token -> {
        firstToken.compareAndSet(0, System.nanoTime());
        onToken.accept(token);
      });
      CompletableFuture<RagAnswer> answer = text.thenApply(t -> {
        long end = System.nanoTime();
        Map<String, Double> timing = new LinkedHashMap<>();
        timing.put("retrieval", retrievalMillis());
        if (firstToken.get() != 0) {
          timing.put("first_token", millis(firstToken.get() - startNanos));
        }
        timing.put("generation", millis(end - generationStart));
        timing.put("total", millis(end - startNanos));
        return new RagAnswer(t, passages, model.name(), timing);
      });
      answer.whenComplete((value, failure) -> {
        if (answer.isCancelled()) {
          text.cancel(true);
        }
      });
      return answer;
    }
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
