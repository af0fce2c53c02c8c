package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code POST /indexes/{name}/react}: a question answered by a ReAct agent that searches
 * the index as often as it needs (Thought / Action / Observation), as {@code leann react} does.
 *
 * @param question the question (required, non-blank)
 * @param llm which model reasons; null for the server's default. The agent needs a language model:
 *     the {@code extractive} provider cannot drive it
 * @param topK results per search (default 5, as LEANN's {@code react})
 * @param complexity search beam, ef (default 32)
 * @param recompute recompute embeddings of visited nodes; null lets the index decide
 * @param maxIterations tool calls before the agent must answer (default 5)
 * @param stream answer as server-sent events ({@code step}..., {@code retry}, {@code synthesis},
 *     {@code token}..., then {@code done} or {@code error}) instead of one JSON body
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReactRequest(
    @JsonProperty("question") String question,
    @JsonProperty("llm") ChatLlm llm,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("complexity") Integer complexity,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("max_iterations") Integer maxIterations,
    @JsonProperty("stream") Boolean stream) {

  public static final int DEFAULT_TOP_K = 5;
  public static final int DEFAULT_COMPLEXITY = 32;
  public static final int DEFAULT_MAX_ITERATIONS = 5;
  /** Each iteration is a model call with the whole run so far; more than this is a runaway bill. */
  public static final int MAX_ITERATIONS = 20;

  public int topKOrDefault() {
    return topK == null ? DEFAULT_TOP_K : topK;
  }

  public int complexityOrDefault() {
    return complexity == null ? DEFAULT_COMPLEXITY : complexity;
  }

  public int maxIterationsOrDefault() {
    return maxIterations == null ? DEFAULT_MAX_ITERATIONS : maxIterations;
  }

  public boolean streamed() {
    return Boolean.TRUE.equals(stream);
  }

  /**
   * Checks the fields a client controls.
   *
   * @throws ApiException 400 naming the bad field
   */
  public ReactRequest validated() {
    RequestChecks.required("question", question);
    RequestChecks.within("top_k", topK, 1, 100);
    RequestChecks.within("complexity", complexity, 1, 10_000);
    RequestChecks.within("max_iterations", maxIterations, 1, MAX_ITERATIONS);
    RequestChecks.thinkingBudget(llm);
    return this;
  }
}
