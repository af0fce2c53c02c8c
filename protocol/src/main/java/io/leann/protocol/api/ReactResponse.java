package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Answer to {@code POST /indexes/{name}/react}; also the data of the final {@code done} event of
 * a streamed run.
 *
 * @param answer the final answer
 * @param steps the tool calls made, in order
 * @param sources the passages the searches showed the model, in the order first shown
 * @param synthesized true when the answer was written from the observations after the agent ran
 *     out of iterations or its replies could not be parsed, rather than given as its
 *     {@code Final Answer}
 * @param model who answered, {@code provider/model}
 */
public record ReactResponse(
    @JsonProperty("answer") String answer,
    @JsonProperty("steps") List<Step> steps,
    @JsonProperty("sources") List<ChatSource> sources,
    @JsonProperty("synthesized") boolean synthesized,
    @JsonProperty("model") String model) {

  /**
   * One Thought / Action / Observation round; also the data of a streamed {@code step} event.
   *
   * @param iteration 1 for the first tool call
   * @param thought what the model said it was thinking (may be empty)
   * @param tool the tool it called ({@code leann_search})
   * @param input the tool's input
   * @param observation what the tool returned, as the model read it
   */
  public record Step(
      @JsonProperty("iteration") int iteration,
      @JsonProperty("thought") String thought,
      @JsonProperty("tool") String tool,
      @JsonProperty("input") String input,
      @JsonProperty("observation") String observation) {}
}
