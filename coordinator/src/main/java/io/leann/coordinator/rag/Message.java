package io.leann.coordinator.rag;

import java.util.Locale;
import java.util.Objects;

/**
 * One message of a conversation with a language model.
 *
 * @param role who speaks
 * @param content what is said
 */
public record Message(Role role, String content) {

  /** Who speaks; providers spell these their own way (Gemini's assistant is {@code model}). */
  public enum Role {
    SYSTEM, USER, ASSISTANT;

    /** The OpenAI/Ollama spelling: {@code system}, {@code user}, {@code assistant}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Message {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  public static Message system(String content) {
    return new Message(Role.SYSTEM, content);
  }

  public static Message user(String content) {
    return new Message(Role.USER, content);
  }

  public static Message assistant(String content) {
    return new Message(Role.ASSISTANT, content);
  }
}
