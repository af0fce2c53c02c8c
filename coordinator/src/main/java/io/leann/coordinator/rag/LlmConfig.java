package io.leann.coordinator.rag;

/**
 * Which model the user asked for, from the CLI flags ({@code --llm --model --host --api-base
 * --api-key}) or an HTTP request. Null fields fall back to the environment and then to the
 * provider's defaults ({@link ChatModels}).
 *
 * @param provider the provider, or null to pick one automatically
 * @param model the provider's model name, or null for its default
 * @param host Ollama's address ({@code --host}); used as the API base by other providers when
 *     {@code apiBase} is null
 * @param apiBase root URL of an OpenAI-compatible, Anthropic or Gemini API ({@code --api-base})
 * @param apiKey API key overriding the provider's environment variable; never printed
 */
public record LlmConfig(LlmProvider provider, String model, String host, String apiBase, String apiKey) {

  /** Everything automatic: the provider is detected, every setting comes from the environment. */
  public static LlmConfig auto() {
    return new LlmConfig(null, null, null, null, null);
  }

  /**
   * A provider and model by name, as an HTTP request gives them.
   *
   * @param provider provider name or null
   * @throws LlmException for an unknown provider name
   */
  public static LlmConfig of(String provider, String model) {
    return new LlmConfig(provider == null || provider.isBlank() ? null : LlmProvider.parse(provider),
        model == null || model.isBlank() ? null : model.strip(), null, null, null);
  }

  /** Never shows the key: configurations end up in logs and error messages. */
  @Override
  public String toString() {
    return "LlmConfig[provider=" + (provider == null ? "auto" : provider.id()) + ", model=" + model + ", host=" + host
        + ", apiBase=" + apiBase + ", apiKey=" + (apiKey == null ? "none" : "set") + "]";
  }
}
