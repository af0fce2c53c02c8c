package io.leann.protocol.http;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a client of a remote model provider (embeddings or chat) talks HTTP: timeouts and the retry policy for transient failures (HTTP
 * 429, 5xx, connection errors and timeouts).
 *
 * <p>A failed attempt is retried after {@code initialBackoff x 2^(attempt-1)}, capped at
 * {@code maxBackoff} and jittered down by up to half, so that many clients hit by one outage do
 * not come back in lockstep. A server's {@code Retry-After} replaces that delay; one asking for
 * more than {@code maxRetryAfter} fails the call at once with the wait it asked for, rather than
 * blocking a build silently.
 *
 * @param connectTimeout limit for opening a connection
 * @param requestTimeout limit for one attempt, from sending the request to the end of the response
 * @param maxAttempts attempts per request, the first included (1 = no retries)
 */
public record HttpOptions(
    Duration connectTimeout,
    Duration requestTimeout,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter) {

  public HttpOptions {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0
        || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff");
    }
  }

  /** 10 s to connect, 2 min per attempt, 5 attempts, backoff from 0.5 s up to 30 s. */
  public static HttpOptions defaults() {
    return new HttpOptions(Duration.ofSeconds(10), Duration.ofMinutes(2), 5,
        Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(2));
  }

  public HttpOptions withMaxAttempts(int attempts) {
    return new HttpOptions(connectTimeout, requestTimeout, attempts, initialBackoff, maxBackoff,
        maxRetryAfter);
  }

  public HttpOptions withBackoff(Duration initial, Duration max) {
    return new HttpOptions(
        connectTimeout, requestTimeout, maxAttempts, initial, max, maxRetryAfter);
  }

  public HttpOptions withTimeouts(Duration connect, Duration request) {
    return new HttpOptions(
        connect, request, maxAttempts, initialBackoff, maxBackoff, maxRetryAfter);
  }

  /** The wait before attempt {@code attempt + 1} when the server named none: jittered exponential backoff. */
  public Duration backoff(int attempt) {
    long ceiling = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(attempt - 1, 30));
    long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    return Duration.ofMillis(jittered);
  }
}
