package io.leann.coordinator.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.leann.protocol.RequestIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every API request gets on its way in and out: a request id and a place in the HTTP
 * metrics.
 *
 * <p>Request id: the client's {@value #HEADER} when it is a sane token (1 to 128 characters of
 * letters, digits and {@code . _ : - + = /}), else a new UUID; either way the request carries it
 * on to the routes (which put it in the MDC around service calls, {@link RequestIds}) and the
 * response returns it. Ids outside that alphabet are replaced, not echoed, so nothing a client
 * sends reaches a log line or a header unchecked.
 *
 * <p>Metrics: {@code leann_http_server_requests_seconds{method,route,status}}, a timer whose count
 * is the number of responses per status. {@code route} is the path with its variable segments
 * named ({@code /indexes/{name}/search}); unknown paths count as {@code other}, so clients cannot
 * grow the number of series. Time is to the response headers (for streamed chat answers, the first
 * byte).
 *
 * <p>Access log: one INFO line per response on logger {@value #ACCESS_LOGGER}, under the request id
 * (in the MDC and the message): method, path without the query string, status, milliseconds.
 * Never headers, query strings or bodies, which may carry keys; the path is cut to
 * {@value #LOGGED_PATH_CHARS} characters and anything but printable ASCII in it is replaced, so a
 * client cannot forge log lines. Thread-safe.
 */
final class RequestTelemetry {
  /** The header a request id travels in, both ways. */
  static final String HEADER = "X-Request-Id";

  /** The access log's logger, apart from the class's so operators can silence it alone. */
  static final String ACCESS_LOGGER = "leann.access";

  private static final Logger ACCESS = LoggerFactory.getLogger(ACCESS_LOGGER);
  private static final int LOGGED_PATH_CHARS = 200;
  private static final Pattern UNPRINTABLE = Pattern.compile("[^\\x21-\\x7e]");
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:+=/-]{1,128}");
  private static final Set<String> INDEX_OPERATIONS = Set.of("search", "chat", "documents");
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

  private final MeterRegistry registry;

  RequestTelemetry(MeterRegistry registry) {
    this.registry = registry;
  }

  /** {@code inner} with request ids and metrics around it. */
  Route wrap(Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      String id = requestId(request.getHeader(HEADER).map(HttpHeader::value));
      String method = METHODS.contains(request.method().value()) ? request.method().value() : "other";
      String route = route(request.getUri().path());
      return mapRequest(r -> withId(r, id), () ->
          mapResponse(response -> {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            int status = response.status().intValue();
            Timer.builder("leann.http.server.requests")
                .description("HTTP API responses, by route and status")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .register(registry)
                .record(took);
            RequestIds.run(id, () -> ACCESS.info("{} {} {} {} ms id={}", method, loggedPath(request.getUri().path()),
                status, took.toMillis(), id));
            return response.addHeader(RawHeader.create(HEADER, id));
          }, inner));
    });
  }

  /** {@code path} as the access log shows it: printable ASCII only, at most {@value #LOGGED_PATH_CHARS} characters. */
  static String loggedPath(String path) {
    String cut = path.length() > LOGGED_PATH_CHARS ? path.substring(0, LOGGED_PATH_CHARS) + "..." : path;
    return UNPRINTABLE.matcher(cut).replaceAll("?");
  }

  /** {@code header} when it is a sane id, else a new one. */
  static String requestId(Optional<String> header) {
    return header.map(String::strip).filter(h -> SANE_ID.matcher(h).matches())
        .orElseGet(() -> UUID.randomUUID().toString());
  }

  private static HttpRequest withId(HttpRequest request, String id) {
    Optional<HttpHeader> sent = request.getHeader(HEADER);
    if (sent.isPresent() && sent.get().value().equals(id)) {
      return request;
    }
    HttpRequest stripped = sent.isPresent() ? request.removeHeader(sent.get().name()) : request;
    return stripped.addHeader(RawHeader.create(HEADER, id));
  }

  /** The route template of {@code path}, for the metrics' {@code route} label. */
  static String route(String path) {
    List<String> s = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    if (s.size() == 1 && s.get(0).isEmpty()) {
      return "/";
    }
    String first = s.get(0);
    return switch (s.size()) {
      case 1 -> Set.of("health", "metrics", "indexes", "mcp").contains(first) ? "/" + first : "other";
      case 2 -> first.equals("indexes") ? "/indexes/{name}"
          : first.equals("jobs") ? "/jobs/{id}"
          : first.equals("admin") && Set.of("nodes", "shards", "cluster").contains(s.get(1)) ? "/admin/" + s.get(1)
          : "other";
      case 3 -> first.equals("indexes") && INDEX_OPERATIONS.contains(s.get(2)) ? "/indexes/{name}/" + s.get(2)
          : "other";
      case 4 -> first.equals("admin") && s.get(1).equals("indexes") && Set.of("rebalance", "replicas").contains(s.get(3))
          ? "/admin/indexes/{name}/" + s.get(3) : "other";
      case 5 -> first.equals("admin") && s.get(1).equals("indexes") && s.get(3).equals("shards")
          ? "/admin/indexes/{name}/shards/{k}" : "other";
      default -> "other";
    };
  }
}
