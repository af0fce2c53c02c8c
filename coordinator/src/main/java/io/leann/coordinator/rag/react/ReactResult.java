package io.leann.coordinator.rag.react;

import io.leann.coordinator.rag.Passage;
import java.util.List;

/**
 * How an agent run ended.
 *
 * @param answer the final answer
 * @param steps the tool calls made, in order
 * @param sources passages the tools showed the model, in the order first shown
 * @param synthesized true when the answer was written by a final synthesis over the observations
 *     (iterations ran out, or the model's replies could not be parsed) rather than given by the
 *     model as its {@code Final Answer}
 * @param model who answered
 */
public record ReactResult(String answer, List<ReactStep> steps, List<Passage> sources, boolean synthesized,
    String model) {}
