package io.leann.protocol.api;

import java.util.List;
import java.util.Locale;

/** Checks of the fields a client sends, shared by the requests; each failure is a 400 naming the field. */
final class RequestChecks {
  private RequestChecks() {}

  static void required(String field, String text) {
    if (text == null || text.isBlank()) {
      throw ApiException.badRequest(field, "is required and must not be blank");
    }
  }

  /** An optional number that, when given, lies in {@code [min, max]}. */
  static void within(String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw ApiException.badRequest(field, "must be in [" + min + ", " + max + "]");
    }
  }

  /** The model a chat or ReAct request names, if any: its thinking budget is one the models know. */
  static void thinkingBudget(ChatLlm llm) {
    if (llm != null && llm.thinkingBudget() != null
        && !List.of("low", "medium", "high").contains(llm.thinkingBudget().strip().toLowerCase(Locale.ROOT))) {
      throw ApiException.badRequest("llm.thinking_budget", "must be \"low\", \"medium\" or \"high\"");
    }
  }
}
