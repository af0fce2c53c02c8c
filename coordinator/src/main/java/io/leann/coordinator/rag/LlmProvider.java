package io.leann.coordinator.rag;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The language-model providers {@code --llm} names, with the environment variables that configure
 * each, for messages that say what to set.
 */
public enum LlmProvider {
  OLLAMA("ollama", "Ollama", "qwen3:8b", null, "OLLAMA_HOST"),
  OPENAI("openai", "OpenAI", "gpt-4o", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
  ANTHROPIC("anthropic", "Anthropic", "claude-sonnet-4-5", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
  GEMINI("gemini", "Gemini", "gemini-2.5-flash", "GEMINI_API_KEY or GOOGLE_API_KEY", "GEMINI_BASE_URL"),
  /** No language model: quotes the best passages ({@link ExtractiveChatModel}). */
  EXTRACTIVE("extractive", "extractive", null, null, null);

  private final String id;
  private final String displayName;
  private final String defaultModel;
  private final String keyVariables;
  private final String urlVariable;

  LlmProvider(String id, String displayName, String defaultModel, String keyVariables, String urlVariable) {
    this.id = id;
    this.displayName = displayName;
    this.defaultModel = defaultModel;
    this.keyVariables = keyVariables;
    this.urlVariable = urlVariable;
  }

  /** The {@code --llm} spelling. */
  public String id() {
    return id;
  }

  /** As users know it, for messages. */
  public String displayName() {
    return displayName;
  }

  /** The model used without {@code --model} (LEANN's defaults where it has one), or null. */
  public String defaultModel() {
    return defaultModel;
  }

  /** The environment variable(s) holding the API key, or null when there is no key. */
  public String keyVariables() {
    return keyVariables;
  }

  /** The environment variable choosing the server, or null when there is none. */
  public String urlVariable() {
    return urlVariable;
  }

  /**
   * The provider called {@code name} (any case).
   *
   * @throws LlmException {@link LlmException.Kind#NOT_CONFIGURED} listing the known names
   */
  public static LlmProvider parse(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (LlmProvider p : values()) {
      if (p.id.equals(wanted)) {
        return p;
      }
    }
    throw new LlmException(LlmException.Kind.NOT_CONFIGURED, "unknown LLM provider '" + name + "'; use one of "
        + Arrays.stream(values()).map(LlmProvider::id).collect(Collectors.joining(", ")));
  }
}
