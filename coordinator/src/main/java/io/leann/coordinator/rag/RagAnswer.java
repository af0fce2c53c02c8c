package io.leann.coordinator.rag;

import io.leann.protocol.api.ChatResponse;
import java.util.List;
import java.util.Map;

/**
 * A finished RAG answer.
 *
 * @param answer what the model said
 * @param sources the passages it was given, best first
 * @param model who answered ({@link ChatModel#name()})
 * @param timing milliseconds: {@code retrieval}, {@code first_token}, {@code generation}, {@code total}
 */
public record RagAnswer(String answer, List<Passage> sources, String model, Map<String, Double> timing) {

  /** The API's form of this answer. */
  public ChatResponse toResponse() {
    return new ChatResponse(answer, sources.stream().map(Passage::toSource).toList(), model, timing);
  }
}
