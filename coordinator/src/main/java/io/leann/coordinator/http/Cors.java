package io.leann.coordinator.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Cross-origin access for browser pages, off unless origins are listed
 * ({@code leann.http.cors-allowed-origins}, {@code LEANN_CORS_ORIGINS}).
 *
 * <p>Off, the API sends no {@code Access-Control-*} header, so a browser lets no page of another
 * origin read a response, and a preflight ({@code OPTIONS}) is an ordinary 405. On, a request whose
 * {@code Origin} is listed gets {@code Access-Control-Allow-Origin} naming that origin, and its
 * preflight a 204 allowing the API's methods and headers (the key headers included); other origins
 * are treated as if CORS were off. Credentials (cookies) are never allowed: keys travel in headers.
 *
 * <p>CORS only governs what a page may read. A "simple" cross-origin request (a form POST,
 * {@code text/plain}) is sent without a preflight whatever the server says; what stops it from
 * writing is the 415 for bodies that are not JSON and the key the write needs ({@link LeannRoutes}).
 * Immutable and thread-safe.
 */
final class Cors extends AllDirectives {
  private static final List<HttpHeader> PREFLIGHT = List.of(
      RawHeader.create("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
      RawHeader.create("Access-Control-Allow-Headers",
          "Authorization, api-key, Content-Type, X-Request-Id, MCP-Protocol-Version"),
      RawHeader.create("Access-Control-Max-Age", "600"));
  private static final HttpHeader EXPOSE = RawHeader.create("Access-Control-Expose-Headers",
      "Location, Retry-After, X-Request-Id");
  private static final HttpHeader VARY = RawHeader.create("Vary", "Origin");

  private final Set<String> origins;

  /** @param origins {@link #validated} origins; empty turns CORS off */
  Cors(List<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  /** {@code inner} with the CORS headers for listed origins, and their preflights answered. */
  Route wrap(Supplier<Route> inner) {
    if (origins.isEmpty()) {
      return inner.get();
    }
    return respondWithHeaders(List.of(VARY), () -> optionalHeaderValueByName("Origin", origin -> {
      if (origin.isEmpty() || !origins.contains(origin.get().toLowerCase(Locale.ROOT))) {
        return inner.get();
      }
      HttpHeader allow = RawHeader.create("Access-Control-Allow-Origin", origin.get());
      return optionalHeaderValueByName("Access-Control-Request-Method", preflight -> concat(
          options(() -> preflight.isPresent()
              ? complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT).addHeader(allow)
                  .addHeaders(PREFLIGHT))
              : reject()),
          respondWithHeaders(List.of(allow, EXPOSE), inner)));
    }));
  }

  /**
   * The origins of a configuration, lower-cased, each {@code http(s)://host[:port]} (what browsers
   * send in {@code Origin}); a trailing slash is dropped.
   *
   * @throws IllegalArgumentException for {@code *} or anything that is not such an origin
   */
  static List<String> validated(List<String> configured) {
    List<String> out = new ArrayList<>();
    for (String raw : configured) {
      String o = raw.strip().toLowerCase(Locale.ROOT);
      if (o.isEmpty()) {
        continue;
      }
      o = o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
      URI uri;
      try {
        uri = URI.create(o);
      } catch (IllegalArgumentException e) {
        uri = null;
      }
      if (uri == null || !(o.startsWith("http://") || o.startsWith("https://")) || uri.getHost() == null
          || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
          || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException("a CORS allowed origin must be http(s)://host[:port], e.g. "
            + "https://app.example.com ('*' is not accepted: list the origins), got '" + raw.strip() + "'");
      }
      out.add(o);
    }
    return List.copyOf(out);
  }
}
