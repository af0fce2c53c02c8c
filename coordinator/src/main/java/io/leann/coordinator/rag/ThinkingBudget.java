package io.leann.coordinator.rag;

import java.util.Locale;

/**
 * How much a reasoning model may think before it answers ({@code --thinking-budget}). Each
 * provider has its own knob, so each level maps to all of them:
 *
 * <ul>
 *   <li>OpenAI o-series and gpt-5: {@code reasoning_effort} = the level's name;
 *   <li>Anthropic extended thinking and Gemini 2.5 {@code thinkingBudget}: {@link #tokens()};
 *   <li>Ollama: {@code think} = the level's name for gpt-oss (the only family with levels),
 *       {@code true} for other thinking models.
 * </ul>
 */
public enum ThinkingBudget {
  LOW(2_048), MEDIUM(8_192), HIGH(24_576);

  private final int tokens;

  ThinkingBudget(int tokens) {
    this.tokens = tokens;
  }

  /** Thinking tokens allowed: at least Anthropic's minimum of 1024, at most Gemini Flash's 24576. */
  public int tokens() {
    return tokens;
  }

  /** {@code low}, {@code medium} or {@code high}, as the APIs and the CLI spell it. */
  public String level() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code low|medium|high} (any case); null stays null.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static ThinkingBudget parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("thinking budget must be low, medium or high, got '" + value + "'", e);
    }
  }
}
