package io.leann.coordinator.rag;

/**
 * A language model could not answer. The message says what to fix (the environment variable of a
 * rejected key, the installed models when one is missing) and never contains a key.
 */
public class LlmException extends RuntimeException {

  /** What went wrong, so callers (the HTTP API) can pick a status. */
  public enum Kind {
    /** No such provider, or the provider is not set up (no key, no host). */
    NOT_CONFIGURED,
    /** The provider refused the API key (HTTP 401/403, Gemini's API_KEY_INVALID). */
    AUTH,
    /** The provider does not have the model asked for. */
    UNKNOWN_MODEL,
    /** The provider refused the request as invalid (other 4xx). */
    BAD_REQUEST,
    /** Unreachable, timed out, rate limited or failing (5xx) after every retry. */
    UNAVAILABLE,
    /** The provider answered something this client cannot read. */
    PROTOCOL,
    /** The caller cancelled the request. */
    CANCELLED
  }

  private final Kind kind;

  public LlmException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public LlmException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
