package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Body of {@code POST /indexes/{name}/chat}: a question answered from the index's passages.
 *
 * @param question the question (required, non-blank)
 * @param history earlier turns of the conversation, oldest first; may be null. The server keeps
 *     only the most recent turns that fit its token budget
 * @param llm which model answers; null for the server's default
 * @param topK passages retrieved as context (default 20, as LEANN's {@code ask})
 * @param complexity search beam, ef (default 32, as LEANN's {@code ask})
 * @param recompute recompute embeddings of visited nodes; null lets the index decide
 * @param stream answer as server-sent events ({@code sources}, {@code token}..., {@code done} or
 *     {@code error}) instead of one JSON body
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChatRequest(
    @JsonProperty("question") String question,
    @JsonProperty("history") List<ChatMessage> history,
    @JsonProperty("llm") ChatLlm llm,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("complexity") Integer complexity,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("stream") Boolean stream) {

  public static final int DEFAULT_TOP_K = 20;
  public static final int DEFAULT_COMPLEXITY = 32;
  /** More history than this many turns is refused outright; fewer are trimmed by tokens. */
  public static final int MAX_HISTORY = 1000;

  public int topKOrDefault() {
    return topK == null ? DEFAULT_TOP_K : topK;
  }

  public int complexityOrDefault() {
    return complexity == null ? DEFAULT_COMPLEXITY : complexity;
  }

  public boolean streamed() {
    return Boolean.TRUE.equals(stream);
  }

  public List<ChatMessage> historyOrEmpty() {
    return history == null ? List.of() : history;
  }

  /**
   * Checks the fields a client controls.
   *
   * @throws ApiException 400 naming the bad field
   */
  public ChatRequest validated() {
    RequestChecks.required("question", question);
    RequestChecks.within("top_k", topK, 1, 100);
    RequestChecks.within("complexity", complexity, 1, 10_000);
    List<ChatMessage> turns = historyOrEmpty();
    if (turns.size() > MAX_HISTORY) {
      throw ApiException.badRequest("history", "must hold at most " + MAX_HISTORY + " messages");
    }
    for (int i = 0; i < turns.size(); i++) {
      ChatMessage m = turns.get(i);
      if (m == null || !(ChatMessage.USER.equals(m.role()) || ChatMessage.ASSISTANT.equals(m.role()))) {
        throw ApiException.badRequest("history[" + i + "].role", "must be \"user\" or \"assistant\"");
      }
      if (m.content() == null) {
        throw ApiException.badRequest("history[" + i + "].content", "is required");
      }
    }
    RequestChecks.thinkingBudget(llm);
    return this;
  }
}
