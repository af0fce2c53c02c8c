package io.leann.embed.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.leann.embed.EmbeddingException;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import io.leann.protocol.http.Redactor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON over HTTP POST to one provider, with the retry policy of {@link HttpOptions} and errors
 * turned into {@link EmbeddingException}s that name the provider and what to fix.
 *
 * <p>Retried: HTTP 429 and 5xx, connection failures and timeouts. Not retried: other statuses
 * (401/403 name the API key variable, other 4xx carry the server's own error message) and 2xx
 * bodies that do not parse. Retries are scheduled without blocking a thread, so the asynchronous
 * form can keep several requests in flight.
 *
 * <p>Nothing it lets go of holds a key: every message, quoted error body, log line and cause of
 * its exceptions passes through the {@link Redactor} made from the secrets it was given, since
 * providers quote a rejected key back in their error bodies.
 *
 * <p>Thread-safe; owns one {@link HttpClient}, released by {@link #close()}.
 */
public final class JsonHttp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JsonHttp.class);
  private static final int MAX_ERROR_BODY = 500;
  /** How much of an error body is read for the message; the rest only says the same at length. */
  private static final int MAX_QUOTED_BODY = 64 * 1024;

  private final Provider provider;
  private final HttpOptions options;
  private final HttpClient client;
  private final Redactor redactor;

  /** @param secrets what the caller sends that must never be shown (API keys); nulls are ignored */
  JsonHttp(Provider provider, URI server, HttpOptions options, String... secrets) {
    this.provider = provider;
    this.options = options;
    this.redactor = Redactor.of(secrets);
    this.client = ProviderHttp.newClient(server, options);
  }

  /** POSTs {@code body} as JSON and binds the 2xx answer to {@code type}, retrying as needed. */
  <T> T post(URI uri, Map<String, String> headers, Object body, Class<T> type) {
    CompletableFuture<T> answer = postAsync(uri, headers, body, type);
    try {
      return answer.get();
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new EmbeddingException(provider.name() + " request interrupted", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** Asynchronous {@link #post}: completes exceptionally with an {@link EmbeddingException}. */
  <T> CompletableFuture<T> postAsync(URI uri, Map<String, String> headers, Object body,
      Class<T> type) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(options.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
    headers.forEach(request::header);
    return attempt(request.build(), 1, type);
  }

  @Override
  public void close() {
    client.close();
  }

  /** Rethrows {@code failure} (as surfaced by a future) as the EmbeddingException it carries. */
  EmbeddingException unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof EmbeddingException e) {
      return e;
    }
    if (cause instanceof CancellationException) {
      return failure(provider.name() + " request cancelled", cause);
    }
    return failure(provider.name() + " request failed unexpectedly: " + cause, cause);
  }

  private <T> CompletableFuture<T> attempt(HttpRequest request, int attempt, Class<T> type) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, failure) -> {
          if (failure != null) {
            return onFailure(request, attempt, type, unwrapIo(failure));
          }
          int status = response.statusCode();
          if (status / 100 == 2) {
            return CompletableFuture.completedFuture(parse(response.body(), type));
          }
          if (status == 429 || status / 100 == 5) {
            return onRetryableStatus(request, attempt, type, response);
          }
          return CompletableFuture.<T>failedFuture(statusError(response, attempt));
        })
        .thenCompose(next -> next);
  }

  private <T> CompletableFuture<T> onFailure(HttpRequest request, int attempt, Class<T> type,
      Throwable failure) {
    if (!(failure instanceof IOException)) {
      return CompletableFuture.failedFuture(failure instanceof EmbeddingException e ? e
          : failure(provider.name() + " request failed: " + failure, failure));
    }
    if (attempt >= options.maxAttempts()) {
      return CompletableFuture.failedFuture(failure(
          provider.name() + " is unreachable at " + request.uri() + " after " + attempt
              + " attempt(s): " + failure
              + (provider.urlVariable() == null ? "" : "; check " + provider.urlVariable()),
          failure));
    }
    Duration delay = options.backoff(attempt);
    LOG.warn("{} request failed ({}), retry {}/{} in {} ms", provider.name(),
        redactor.redact(failure.toString()), attempt + 1,
        options.maxAttempts(), delay.toMillis());
    return retryLater(request, attempt, type, delay);
  }

  private <T> CompletableFuture<T> onRetryableStatus(HttpRequest request, int attempt,
      Class<T> type, HttpResponse<byte[]> response) {
    if (attempt >= options.maxAttempts()) {
      return CompletableFuture.failedFuture(statusError(response, attempt));
    }
    Optional<Duration> asked = ProviderHttp.retryAfter(response);
    if (asked.isPresent() && asked.get().compareTo(options.maxRetryAfter()) > 0) {
      return CompletableFuture.failedFuture(statusException(provider.name()
          + " asks to retry after " + asked.get().toSeconds() + " s (HTTP "
          + response.statusCode() + "), longer than the " + options.maxRetryAfter().toSeconds()
          + " s this client waits: " + serverMessage(response.body()), response));
    }
    Duration delay = asked.orElseGet(() -> options.backoff(attempt));
    LOG.warn("{} answered HTTP {}, retry {}/{} in {} ms", provider.name(), response.statusCode(),
        attempt + 1, options.maxAttempts(), delay.toMillis());
    return retryLater(request, attempt, type, delay);
  }

  private <T> CompletableFuture<T> retryLater(HttpRequest request, int attempt, Class<T> type,
      Duration delay) {
    Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
    return CompletableFuture.runAsync(() -> {}, later)
        .thenCompose(ignored -> attempt(request, attempt + 1, type));
  }




  private HttpStatusException statusError(HttpResponse<byte[]> response, int attempt) {
    int status = response.statusCode();
    String message = serverMessage(response.body());
    String text = switch (status) {
      case 401, 403 -> provider.keyVariables() != null
          ? provider.name() + " rejected the API key (HTTP " + status + "): set "
              + provider.keyVariables() + " (server said: " + message + ")"
          : provider.name() + " refused the request (HTTP " + status + "): " + message;
      case 404 -> provider.name() + " has no " + response.uri().getPath() + " (HTTP 404): "
          + message + "; check the model name"
          + (provider.urlVariable() == null ? "" : " and " + provider.urlVariable());
      case 429 -> provider.name() + " is still rate limiting after " + attempt
          + " attempts (HTTP 429): " + message;
      default -> status / 100 == 5
          ? provider.name() + " failed with HTTP " + status + " after " + attempt
              + " attempts: " + message
          : provider.name() + " refused the request (HTTP " + status + "): " + message;
    };
    return statusException(text, response);
  }

  private HttpStatusException statusException(String message, HttpResponse<byte[]> response) {
    return new HttpStatusException(redactor.redact(message), response.statusCode(),
        redactor.redact(ProviderHttp.serverError(response.body())));
  }

  /** An EmbeddingException whose message and cause chain hold no secret. */
  private EmbeddingException failure(String message, Throwable cause) {
    return new EmbeddingException(redactor.redact(message), redactor.scrub(cause));
  }

  private <T> T parse(byte[] body, Class<T> type) {
    try {
      return ProviderHttp.JSON.readValue(body, type);
    } catch (IOException e) {
      throw failure(provider.name() + " answered with malformed JSON: " + quote(body), e);
    }
  }

  private byte[] toJson(Object body) {
    try {
      return ProviderHttp.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new EmbeddingException("cannot encode a " + provider.name() + " request", e);
    }
  }

  /** The error message of a JSON error body, or the body itself when it has none: redacted, shortened. */
  private String serverMessage(byte[] body) {
    String error = ProviderHttp.serverError(body);
    return error != null ? abbreviate(redactor.redact(error)) : quote(body);
  }

  /** {@code body} as text, redacted and shortened. */
  private String quote(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, MAX_QUOTED_BODY), StandardCharsets.UTF_8)
        .strip();
    return text.isEmpty() ? "(empty body)" : abbreviate(redactor.redact(text));
  }


  private static String abbreviate(String text) {
    return text.length() <= MAX_ERROR_BODY ? text : text.substring(0, MAX_ERROR_BODY) + "...";
  }

  private static Throwable unwrapIo(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
