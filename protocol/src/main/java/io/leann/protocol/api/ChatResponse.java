package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Answer to {@code POST /indexes/{name}/chat}; also the data of the final {@code done} event of a
 * streamed chat.
 *
 * @param answer the model's answer
 * @param sources the passages retrieved for the question, best first
 * @param model who answered, {@code provider/model} (e.g. {@code openai/gpt-4o}), or
 *     {@code extractive} when no language model was used
 * @param timing milliseconds per stage: {@code retrieval} (search and prompt), {@code first_token}
 *     (from the request to the first token of the answer), {@code generation}, {@code total}
 */
public record ChatResponse(
    @JsonProperty("answer") String answer,
    @JsonProperty("sources") List<ChatSource> sources,
    @JsonProperty("model") String model,
    @JsonProperty("timing_ms") Map<String, Double> timing) {}
