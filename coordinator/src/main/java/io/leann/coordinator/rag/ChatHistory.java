package io.leann.coordinator.rag;

import io.leann.coordinator.chunk.ApproximateTokenCounter;
import java.util.ArrayList;
import java.util.List;

/**
 * The earlier turns of a conversation that are sent with each new question, bounded by tokens so
 * a long session never pushes the retrieved context out of the model's window. The oldest turns
 * go first; what remains always starts with a user message (Anthropic and Gemini require it).
 * Tokens are estimated with {@link ApproximateTokenCounter}, which errs high.
 *
 * <p>Not thread-safe: one history per conversation.
 */
public final class ChatHistory {
  /** About three question-and-answer turns of typical length. */
  public static final int DEFAULT_MAX_TOKENS = 3000;

  private final int maxTokens;
  private List<Message> messages = List.of();

  public ChatHistory(int maxTokens) {
    if (maxTokens < 0) {
      throw new IllegalArgumentException("maxTokens must not be negative: " + maxTokens);
    }
    this.maxTokens = maxTokens;
  }

  /** Records one turn, then drops the oldest turns that no longer fit. */
  public void add(String question, String answer) {
    List<Message> all = new ArrayList<>(messages);
    all.add(Message.user(question));
    all.add(Message.assistant(answer));
    messages = bounded(all, maxTokens);
  }

  /** The turns to send, oldest first. */
  public List<Message> messages() {
    return messages;
  }

  /**
   * The most recent messages of {@code history} whose estimated tokens add up to at most
   * {@code maxTokens}, starting with a user message.
   */
  public static List<Message> bounded(List<Message> history, int maxTokens) {
    int budget = maxTokens;
    int from = history.size();
    while (from > 0) {
      int cost = ApproximateTokenCounter.INSTANCE.count(history.get(from - 1).content()) + 4;
      if (cost > budget) {
        break;
      }
      budget -= cost;
      from--;
    }
    while (from < history.size() && history.get(from).role() != Message.Role.USER) {
      from++;
    }
    return List.copyOf(history.subList(from, history.size()));
  }
}
