package io.leann.coordinator.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Map;

/**
 * Limits and access control of the HTTP API.
 *
 * <p>Configuration (all optional): {@code leann.http.max-body-size} (HOCON size, e.g. {@code 8m}),
 * {@code leann.http.request-timeout} (e.g. {@code 20s}), {@code leann.http.admin-token}; the
 * environment variable {@code LEANN_ADMIN_TOKEN} overrides the configured token, so a secret can
 * come from a Kubernetes Secret without touching files.
 *
 * @param maxBodyBytes largest request body accepted; a larger one is answered 413
 * @param adminToken bearer token the {@code /admin} routes require; null (or blank) leaves them open,
 *     which suits a server bound to loopback and tests, not a shared network
 * @param requestTimeout time a request may take before it is answered 503 (the work it started
 *     may still finish)
 */
public record HttpSettings(long maxBodyBytes, String adminToken, Duration requestTimeout) {
  /** 8 MiB, Pekko HTTP's own default for {@code max-content-length}. */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
  /** Pekko HTTP's default {@code request-timeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(20);

  public HttpSettings {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("max body size must be positive: " + maxBodyBytes);
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive: " + requestTimeout);
    }
    adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.strip();
  }

  /** 8 MiB bodies, 20 s requests, admin routes open. */
  public static HttpSettings defaults() {
    return new HttpSettings(DEFAULT_MAX_BODY_BYTES, null, DEFAULT_REQUEST_TIMEOUT);
  }

  /** Settings from {@code leann.http.*} in {@code config}, the token overridden by {@code LEANN_ADMIN_TOKEN}. */
  public static HttpSettings fromConfig(Config config, Map<String, String> env) {
    long maxBody = config.hasPath("leann.http.max-body-size")
        ? config.getBytes("leann.http.max-body-size") : DEFAULT_MAX_BODY_BYTES;
    Duration timeout = config.hasPath("leann.http.request-timeout")
        ? config.getDuration("leann.http.request-timeout") : DEFAULT_REQUEST_TIMEOUT;
    String token = env.get("LEANN_ADMIN_TOKEN");
    if ((token == null || token.isBlank()) && config.hasPath("leann.http.admin-token")) {
      token = config.getString("leann.http.admin-token");
    }
    return new HttpSettings(maxBody, token, timeout);
  }

  public HttpSettings withMaxBodyBytes(long bytes) {
    return new HttpSettings(bytes, adminToken, requestTimeout);
  }

  public HttpSettings withAdminToken(String token) {
    return new HttpSettings(maxBodyBytes, token, requestTimeout);
  }

  public HttpSettings withRequestTimeout(Duration timeout) {
    return new HttpSettings(maxBodyBytes, adminToken, timeout);
  }

  /** Never prints the token: settings end up in start-up logs. */
  @Override
  public String toString() {
    return "HttpSettings[maxBodyBytes=" + maxBodyBytes + ", adminToken=" + (adminToken == null ? "none" : "set")
        + ", requestTimeout=" + requestTimeout + "]";
  }
}
