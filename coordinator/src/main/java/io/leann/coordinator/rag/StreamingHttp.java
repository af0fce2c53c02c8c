package io.leann.coordinator.rag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import io.leann.protocol.http.Redactor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON POST whose answer is streamed line by line (SSE or NDJSON), with the retry policy of the
 * embedding providers ({@link HttpOptions}): connection failures, timeouts, HTTP 429 and 5xx are
 * retried with jittered exponential backoff or after the server's {@code Retry-After}. Retries
 * happen only before the first byte of a successful answer; a stream that breaks later fails,
 * since tokens already shown cannot be taken back.
 *
 * <p>{@link HttpOptions#requestTimeout()} bounds the wait for the response headers and, once the
 * answer streams, every silence between two lines: a long generation is fine, a stalled one is
 * not.
 *
 * <p>Calls block the calling thread (a virtual thread of {@link StreamingChatModel}); interrupting
 * it aborts the exchange and closes the connection, which is how a cancelled generation stops
 * the provider's work.
 *
 * <p>Nothing it lets go of holds a key: error messages, quoted bodies, log lines and the causes of
 * its exceptions pass through the {@link Redactor} made from the keys it sends (the one every
 * outbound HTTP client uses), since providers echo (part of) a rejected key in their error
 * bodies. Thread-safe; owns one {@link HttpClient}.
 */
final class StreamingHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingHttp.class);
  private static final int MAX_ERROR_BODY = 64 * 1024;
  private static final int MAX_MESSAGE = 500;
  /** One daemon thread checks every stream for silence; streams are few and the check is cheap. */
  private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("leann-llm-watchdog").daemon().factory());

  /**
   * A refused request, for a provider to classify before the generic rules apply.
   *
   * @param status HTTP status
   * @param body the response body (at most 64 KiB), as sent: for classifying, never to show
   * @param serverError the error message of a JSON error body, redacted; null when the body has none
   * @param message what to show: the server's error message, else the body, redacted and shortened
   */
  record Failure(int status, String body, String serverError, String message) {}

  /** A provider's own reading of a refusal; returns null to leave it to the generic rules. */
  @FunctionalInterface
  interface ErrorPolicy {
    LlmException classify(Failure failure);
  }

  private final LlmProvider provider;
  private final HttpOptions options;
  private final HttpClient client;
  private final Redactor redactor;

  /**
   * @param server the provider's root, to choose HTTP/1.1 (plain http) or HTTP/2 (TLS)
   * @param secrets values never to show in a message (the API key); nulls are ignored
   */
  StreamingHttp(LlmProvider provider, URI server, HttpOptions options, String... secrets) {
    this.provider = provider;
    this.options = options;
    this.redactor = Redactor.of(secrets);
    this.client = ProviderHttp.newClient(server, options);
  }

  /**
   * POSTs {@code body} as JSON and hands each line of the successful answer to {@code lines}, in
   * order, on the calling thread. Returns when the answer ends.
   *
   * @param model the model asked for, named in messages about unknown models
   * @param policy the provider's reading of refusals, or null
   * @throws LlmException on refusal, exhausted retries, a broken or stalled stream, or interrupt
   */
  void post(URI uri, Map<String, String> headers, Object body, String model, ErrorPolicy policy,
      Consumer<String> lines) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
        .timeout(options.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream, application/x-ndjson, application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(encode(body)));
    headers.forEach(builder::header);
    HttpRequest request = builder.build();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<InputStream> response;
      try {
        response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw cancelled(e);
      } catch (IOException e) {
        if (attempt >= options.maxAttempts()) {
          throw failure(LlmException.Kind.UNAVAILABLE, provider.displayName() + " is unreachable at "
              + uri + " after " + attempt + " attempt(s): " + e
              + (provider.urlVariable() == null ? "" : "; check " + provider.urlVariable()), e);
        }
        Duration delay = options.backoff(attempt);
        LOG.warn("{} request failed ({}), retry {}/{} in {} ms", provider.displayName(),
            redactor.redact(e.toString()), attempt + 1,
            options.maxAttempts(), delay.toMillis());
        pause(delay);
        continue;
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        readLines(response.body(), lines);
        return;
      }
      String errorBody = readError(response.body());
      if ((status == 429 || status / 100 == 5) && attempt < options.maxAttempts()) {
        Optional<Duration> asked = ProviderHttp.retryAfter(response);
        if (asked.isPresent() && asked.get().compareTo(options.maxRetryAfter()) > 0) {
          throw new LlmException(LlmException.Kind.UNAVAILABLE, provider.displayName() + " asks to retry after "
              + asked.get().toSeconds() + " s (HTTP " + status + "), longer than the "
              + options.maxRetryAfter().toSeconds() + " s this client waits: " + message(errorBody));
        }
        Duration delay = asked.isPresent() ? asked.get() : options.backoff(attempt);
        LOG.warn("{} answered HTTP {}, retry {}/{} in {} ms", provider.displayName(), status, attempt + 1,
            options.maxAttempts(), delay.toMillis());
        pause(delay);
        continue;
      }
      throw refusal(uri, status, errorBody, model, attempt, policy);
    }
  }

  /**
   * GETs a small JSON document once, without retries (used for Ollama's model list).
   *
   * @throws LlmException when the server is unreachable, refuses or answers something else than JSON
   */
  JsonNode getJson(URI uri, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    try {
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() / 100 != 2) {
        throw new LlmException(LlmException.Kind.UNAVAILABLE, provider.displayName() + " answered HTTP "
            + response.statusCode() + " for " + uri + ": "
            + message(new String(response.body(), StandardCharsets.UTF_8)));
      }
      return ProviderHttp.JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw cancelled(e);
    } catch (IOException e) {
      throw failure(LlmException.Kind.UNAVAILABLE, provider.displayName() + " is unreachable at " + uri
          + ": " + e + (provider.urlVariable() == null ? "" : "; check " + provider.urlVariable()), e);
    }
  }

  /** {@code text} as {@link Redactor} leaves it, shortened to a readable length. */
  String redact(String text) {
    String out = redactor.redact(text);
    return out.length() <= MAX_MESSAGE ? out : out.substring(0, MAX_MESSAGE) + "...";
  }

  /** The error message of a vendor's JSON error body (redacted), or the body itself when it has none. */
  String message(String body) {
    String error = ProviderHttp.serverError(body.getBytes(StandardCharsets.UTF_8));
    String text = error != null ? error : body.strip();
    return text.isEmpty() ? "(empty body)" : redact(text);
  }

  /** A protocol error: the provider sent something this client cannot read. */
  LlmException malformed(String what, Throwable cause) {
    return failure(LlmException.Kind.PROTOCOL, provider.displayName() + " sent " + what, cause);
  }

  /**
   * Parses one event or line of a stream.
   *
   * @param unit what {@code text} is, for the error ("an event", "a line")
   * @throws LlmException of kind PROTOCOL, quoting the text with keys redacted
   */
  JsonNode parseJson(String text, String unit) {
    try {
      return ProviderHttp.JSON.readTree(text);
    } catch (IOException e) {
      throw malformed(unit + " that is not JSON: " + redact(text), e);
    }
  }

  @Override
  public void close() {
    client.close();
  }

  private void readLines(InputStream body, Consumer<String> lines) {
    long idleNanos = options.requestTimeout().toNanos();
    AtomicLong lastLine = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    long period = Math.max(10, options.requestTimeout().toMillis() / 4);
    ScheduledFuture<?> watch = WATCHDOG.scheduleAtFixedRate(() -> {
      if (System.nanoTime() - lastLine.get() > idleNanos && stalled.compareAndSet(false, true)) {
        closeQuietly(body);
      }
    }, period, period, TimeUnit.MILLISECONDS);
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lastLine.set(System.nanoTime());
        if (Thread.currentThread().isInterrupted()) {
          throw cancelled(null);
        }
        lines.accept(line);
      }
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw cancelled(e);
      }
      if (stalled.get()) {
        throw failure(LlmException.Kind.UNAVAILABLE, provider.displayName() + " sent nothing for "
            + options.requestTimeout().toSeconds() + " s in the middle of an answer; gave up", e);
      }
      throw failure(LlmException.Kind.UNAVAILABLE, provider.displayName()
          + " broke the connection in the middle of an answer: " + e, e);
    } finally {
      watch.cancel(false);
    }
  }

  private LlmException refusal(URI uri, int status, String body, String model, int attempt, ErrorPolicy policy) {
    String message = message(body);
    if (policy != null) {
      String error = ProviderHttp.serverError(body.getBytes(StandardCharsets.UTF_8));
      LlmException own = policy.classify(new Failure(status, body, error == null ? null : redact(error), message));
      if (own != null) {
        return own;
      }
    }
    String name = provider.displayName();
    return switch (status) {
      case 401, 403 -> provider.keyVariables() != null
          ? new LlmException(LlmException.Kind.AUTH, name + " rejected the API key (HTTP " + status + "): check "
              + provider.keyVariables() + " or --api-key (server said: " + message + ")")
          : new LlmException(LlmException.Kind.AUTH, name + " refused the request (HTTP " + status + "): " + message);
      case 404 -> new LlmException(LlmException.Kind.UNKNOWN_MODEL, name + " has no model '" + model
          + "' (HTTP 404 from " + uri + "): " + message + "; check --model"
          + (provider.urlVariable() == null ? "" : " and " + provider.urlVariable()));
      case 429 -> new LlmException(LlmException.Kind.UNAVAILABLE, name + " is still rate limiting after "
          + attempt + " attempt(s) (HTTP 429): " + message);
      default -> status / 100 == 5
          ? new LlmException(LlmException.Kind.UNAVAILABLE, name + " failed with HTTP " + status + " after "
              + attempt + " attempt(s): " + message)
          : new LlmException(LlmException.Kind.BAD_REQUEST, name + " refused the request (HTTP " + status + "): "
              + message);
    };
  }

  private LlmException cancelled(Throwable cause) {
    return failure(LlmException.Kind.CANCELLED, provider.displayName() + " request cancelled", cause);
  }

  /** An exception whose message and cause chain hold no secret. */
  private LlmException failure(LlmException.Kind kind, String message, Throwable cause) {
    return new LlmException(kind, redactor.redact(message), redactor.scrub(cause));
  }


  private void pause(Duration delay) {
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw cancelled(e);
    }
  }

  private static String readError(InputStream body) {
    try (InputStream in = body) {
      return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable body: " + e.getMessage() + ")";
    }
  }

  private byte[] encode(Object body) {
    try {
      return ProviderHttp.JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a " + provider.displayName() + " request", e);
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // The reader sees the stream closed and reports the stall.
    }
  }
}
