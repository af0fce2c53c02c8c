package io.leann.embed.remote;

import io.leann.embed.EmbeddingException;

/**
 * A provider answered with an error status that retrying does not fix (or that retries did not
 * fix). Carries the status and the error message the server put in its JSON body, so a provider
 * can react to specific answers (Ollama's 404 for an unknown route versus an unknown model). Both
 * messages come redacted from {@link JsonHttp}: no key the client sent is in them.
 */
final class HttpStatusException extends EmbeddingException {

  private final int status;
  private final String serverError;

  HttpStatusException(String message, int status, String serverError) {
    super(message);
    this.status = status;
    this.serverError = serverError;
  }

  int status() {
    return status;
  }

  /** The error message from the response's JSON body (redacted), or null when the body carried none. */
  String serverError() {
    return serverError;
  }
}
