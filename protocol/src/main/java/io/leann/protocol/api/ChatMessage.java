package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One earlier turn of a conversation, sent back with each new question so the model can follow
 * up on it.
 *
 * @param role {@code user} or {@code assistant}
 * @param content what was said
 */
public record ChatMessage(@JsonProperty("role") String role, @JsonProperty("content") String content) {

  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
}
