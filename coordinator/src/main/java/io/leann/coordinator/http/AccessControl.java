package io.leann.coordinator.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may call what: the routes ask for a {@link Scope} ({@link #require}), the request's key
 * ({@code Authorization: Bearer <key>}, or Qdrant's {@code api-key: <key>}) is looked up in the
 * {@link ApiKeys}, and a request without the scope is refused before anything runs:
 *
 * <ul>
 *   <li>no key, or a key the server does not know: 401 {@code unauthorized} with
 *       {@code WWW-Authenticate: Bearer} (RFC 6750);
 *   <li>a known key whose scope is too low (a read key on a write): 403 {@code forbidden}.
 * </ul>
 *
 * <p>{@link #checkExposure} is the secure-by-default rule for the address a server binds. Neither
 * error messages nor logs ever hold a presented or configured key. Immutable and thread-safe.
 */
final class AccessControl extends AllDirectives {
  static final String API_KEY_HEADER = "api-key";
  private static final String REALM = "Bearer realm=\"leann\"";

  private final ApiKeys keys;

  AccessControl(ApiKeys keys) {
    this.keys = keys;
  }

  /** Runs {@code inner} if the request may use {@code scope}, else answers 401 or 403. */
  Route require(Scope scope, Supplier<Route> inner) {
    if (!keys.needsKey(scope)) {
      return inner.get();
    }
    return optionalHeaderValueByName(API_KEY_HEADER, apiKey -> optionalHeaderValueByName("Authorization",
        authorization -> {
          Optional<String> presented = apiKey.map(String::strip).or(() -> authorization.flatMap(AccessControl::bearer));
          if (presented.isEmpty()) {
            return complete(unauthorized(authorization.isPresent()
                ? "the Authorization header must be 'Bearer <key>'"
                : "this route needs an API key with the " + scope.label() + " scope: send 'Authorization: Bearer "
                    + "<key>' or 'api-key: <key>'", REALM));
          }
          Optional<Scope> granted = keys.scopeOf(presented.get());
          if (granted.isEmpty()) {
            return complete(unauthorized("the API key is not valid",
                REALM + ", error=\"invalid_token\""));
          }
          if (!granted.get().includes(scope)) {
            return complete(ApiErrors.response(403, "forbidden", "the API key has the " + granted.get().label()
                    + " scope; this route needs " + scope.label())
                .addHeader(RawHeader.create("WWW-Authenticate", REALM + ", error=\"insufficient_scope\"")));
          }
          return inner.get();
        }));
  }

  /**
   * The secure-by-default rule, checked wherever the API is bound: a server reachable from other
   * hosts must have a write key and an admin key, unless the operator asked for an open server
   * ({@link HttpSettings#insecure()}, {@code leann serve --insecure}).
   *
   * @param host the address the HTTP API binds
   * @return a warning to log at start when the API is open (on loopback, or exposed on purpose)
   * @throws IllegalStateException when a non-loopback bind lacks the keys
   */
  static Optional<String> checkExposure(String host, HttpSettings settings) {
    ApiKeys keys = settings.keys();
    boolean protectedApi = keys.hasKey(Scope.WRITE) && keys.hasKey(Scope.ADMIN);
    if (protectedApi) {
      return Optional.empty();
    }
    if (!isLoopback(host)) {
      if (!settings.insecure()) {
        throw new IllegalStateException("the HTTP API would listen on " + host + ", which other hosts can reach, "
            + "without " + missing(keys) + ": set LEANN_API_KEY and LEANN_ADMIN_KEY (or a keys file, "
            + "LEANN_KEYS_FILE), bind 127.0.0.1 (--http-host), or pass --insecure to serve it open on purpose");
      }
      return Optional.of("INSECURE (--insecure): the HTTP API listens on " + host + ", which other hosts can "
          + "reach, without " + missing(keys) + (keys.isEmpty() ? "; anyone who reaches it can read, create, "
          + "change and delete indexes" : ""));
    }
    return keys.isEmpty() ? Optional.of("the HTTP API on " + host + " has no API keys: every route is open to "
        + "local processes; set LEANN_API_KEY and LEANN_ADMIN_KEY to require keys") : Optional.empty();
  }

  private static String missing(ApiKeys keys) {
    if (!keys.hasKey(Scope.WRITE) && !keys.hasKey(Scope.ADMIN)) {
      return "a write key and an admin key";
    }
    return keys.hasKey(Scope.WRITE) ? "an admin key" : "a write key";
  }

  /** Loopback only if the name resolves to a loopback address; an unresolvable name is not. */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The key of {@code Bearer <key>}; the scheme is case-insensitive (RFC 9110), the key is not. */
  private static Optional<String> bearer(String authorization) {
    String h = authorization.strip();
    return h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)
        ? Optional.of(h.substring(7).strip()) : Optional.empty();
  }

  private static HttpResponse unauthorized(String message, String challenge) {
    return ApiErrors.response(401, "unauthorized", message).addHeader(RawHeader.create("WWW-Authenticate", challenge));
  }
}
