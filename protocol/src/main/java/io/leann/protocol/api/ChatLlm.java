package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which language model answers a chat request. Either an object
 * {@code {"provider": "openai", "model": "gpt-4o-mini", "thinking_budget": "low"}} or a string,
 * {@code "openai"} or {@code "ollama:qwen3:8b"} (provider, then optionally a colon and the model).
 *
 * <p>Hosts and API keys are deliberately not part of a request: they are the server's
 * configuration, so a client can neither point the server at another host nor have the server's
 * key sent to one.
 *
 * @param provider {@code ollama}, {@code openai}, {@code anthropic}, {@code gemini} or
 *     {@code extractive}; null for the server's default
 * @param model the provider's model name; null for the provider's default
 * @param thinkingBudget {@code low}, {@code medium} or {@code high}; null to leave the model's
 *     reasoning at its default
 */
public record ChatLlm(
    @JsonProperty("provider") String provider,
    @JsonProperty("model") String model,
    @JsonProperty("thinking_budget") String thinkingBudget) {

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public ChatLlm {}

  /** The string form: {@code provider} or {@code provider:model}. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ChatLlm parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return new ChatLlm(null, null, null);
    }
    String s = spec.strip();
    int colon = s.indexOf(':');
    return colon < 0 ? new ChatLlm(s, null, null)
        : new ChatLlm(s.substring(0, colon), s.substring(colon + 1), null);
  }
}
