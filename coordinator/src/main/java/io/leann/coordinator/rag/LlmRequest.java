package io.leann.coordinator.rag;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link ChatModel} is asked: the conversation, how long the answer may be, and optionally
 * the passages the conversation's last message quotes.
 *
 * @param messages the conversation, system message (if any) first
 * @param maxTokens upper bound on the answer's tokens (thinking tokens come on top)
 * @param thinking reasoning budget, or null for the model's default
 * @param stop sequences that end the answer (the ReAct agent stops before a made-up
 *     {@code Observation:}); providers whose model rejects them leave them out
 * @param grounding the question and passages the prompt was built from, or null; only the
 *     extractive provider reads them, every other model reads the messages
 */
public record LlmRequest(List<Message> messages, int maxTokens, ThinkingBudget thinking, List<String> stop,
    Grounding grounding) {

  /** LEANN's answer limit for OpenAI (max_tokens 1000), rounded up. */
  public static final int DEFAULT_MAX_TOKENS = 1024;

  /**
   * The retrieval a prompt is grounded in.
   *
   * @param question what the user asked
   * @param passages retrieved passages, best first
   */
  public record Grounding(String question, List<Passage> passages) {
    public Grounding {
      Objects.requireNonNull(question, "question");
      passages = List.copyOf(passages);
    }
  }

  public LlmRequest {
    messages = List.copyOf(messages);
    stop = stop == null ? List.of() : List.copyOf(stop);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a request needs at least one message");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be positive: " + maxTokens);
    }
  }

  /** {@code messages} with the default answer length, no thinking budget, stops or grounding. */
  public static LlmRequest of(List<Message> messages) {
    return new LlmRequest(messages, DEFAULT_MAX_TOKENS, null, List.of(), null);
  }

  public LlmRequest withThinking(ThinkingBudget budget) {
    return new LlmRequest(messages, maxTokens, budget, stop, grounding);
  }

  public LlmRequest withStop(List<String> sequences) {
    return new LlmRequest(messages, maxTokens, thinking, sequences, grounding);
  }

  public LlmRequest withGrounding(Grounding g) {
    return new LlmRequest(messages, maxTokens, thinking, stop, g);
  }

  /** The system message's content, or null when there is none. */
  public String system() {
    return messages.stream().filter(m -> m.role() == Message.Role.SYSTEM).map(Message::content)
        .reduce((a, b) -> a + "\n\n" + b).orElse(null);
  }

  /** The messages without the system message (Anthropic and Gemini send it in a separate field). */
  public List<Message> conversation() {
    return messages.stream().filter(m -> m.role() != Message.Role.SYSTEM).toList();
  }
}
