package io.leann.coordinator.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Limits and access control of the HTTP API.
 *
 * <p>Configuration (all optional): {@code leann.http.max-body-size} (HOCON size, e.g. {@code 8m}),
 * {@code leann.http.request-timeout} (e.g. {@code 20s}), the keys ({@link ApiKeys#fromConfig}:
 * environment variables, {@code leann.http.keys-file}, {@code leann.http.require-read-key},
 * {@code leann.http.admin-token}) and {@code leann.http.cors-allowed-origins} (a list), which
 * {@code LEANN_CORS_ORIGINS} (comma-separated) overrides. Secrets come from the environment or a
 * file, so a Kubernetes Secret can provide them without touching configuration.
 *
 * @param maxBodyBytes largest request body accepted; a larger one is answered 413
 * @param keys the API keys and which scopes need one ({@link AccessControl})
 * @param requestTimeout time a request may take before it is answered 503 (the work it started
 *     may still finish)
 * @param corsOrigins origins browser pages may call the API from ({@link Cors}); empty: none
 * @param insecure serve on a non-loopback address without write and admin keys
 *     ({@code leann serve --insecure}; {@link AccessControl#checkExposure})
 */
public record HttpSettings(long maxBodyBytes, ApiKeys keys, Duration requestTimeout, List<String> corsOrigins,
    boolean insecure) {
  /** 8 MiB, Pekko HTTP's own default for {@code max-content-length}. */
  public static final long DEFAULT_MAX_BODY_BYTES = 8L << 20;
  /**
   * Longer than the cluster's longest shard deadline ({@code recompute-shard-timeout-max}, 60 s), so
   * a slow shard gives a partial answer rather than a timed-out request.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(75);

  public HttpSettings {
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("max body size must be positive: " + maxBodyBytes);
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive: " + requestTimeout);
    }
    keys = keys == null ? ApiKeys.none() : keys;
    corsOrigins = corsOrigins == null ? List.of() : Cors.validated(corsOrigins);
  }

  /** 8 MiB bodies, 75 s requests, no keys (every route open), no CORS. */
  public static HttpSettings defaults() {
    return new HttpSettings(DEFAULT_MAX_BODY_BYTES, ApiKeys.none(), DEFAULT_REQUEST_TIMEOUT, List.of(), false);
  }

  /** Settings from {@code leann.http.*} in {@code config} and the environment (see the class comment). */
  public static HttpSettings fromConfig(Config config, Map<String, String> env) {
    long maxBody = config.hasPath("leann.http.max-body-size")
        ? config.getBytes("leann.http.max-body-size") : DEFAULT_MAX_BODY_BYTES;
    Duration timeout = config.hasPath("leann.http.request-timeout")
        ? config.getDuration("leann.http.request-timeout") : DEFAULT_REQUEST_TIMEOUT;
    String corsEnv = env.get("LEANN_CORS_ORIGINS");
    List<String> cors = corsEnv != null && !corsEnv.isBlank() ? Arrays.asList(corsEnv.split(","))
        : config.hasPath("leann.http.cors-allowed-origins") ? config.getStringList("leann.http.cors-allowed-origins")
        : List.of();
    return new HttpSettings(maxBody, ApiKeys.fromConfig(config, env), timeout, cors, false);
  }

  public HttpSettings withMaxBodyBytes(long bytes) {
    return new HttpSettings(bytes, keys, requestTimeout, corsOrigins, insecure);
  }

  public HttpSettings withKeys(ApiKeys apiKeys) {
    return new HttpSettings(maxBodyBytes, apiKeys, requestTimeout, corsOrigins, insecure);
  }

  public HttpSettings withRequestTimeout(Duration timeout) {
    return new HttpSettings(maxBodyBytes, keys, timeout, corsOrigins, insecure);
  }

  public HttpSettings withCorsOrigins(List<String> origins) {
    return new HttpSettings(maxBodyBytes, keys, requestTimeout, origins, insecure);
  }

  public HttpSettings withInsecure(boolean open) {
    return new HttpSettings(maxBodyBytes, keys, requestTimeout, corsOrigins, open);
  }

  /** Never prints a key ({@link ApiKeys#toString} counts them): settings end up in start-up logs. */
  @Override
  public String toString() {
    return "HttpSettings[maxBodyBytes=" + maxBodyBytes + ", keys=" + keys + ", requestTimeout=" + requestTimeout
        + ", corsOrigins=" + corsOrigins + ", insecure=" + insecure + "]";
  }
}
