package io.leann.coordinator.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers the requests Pekko HTTP's engine rejects before any route sees them (an unparsable
 * request line or header, a URI or header over the limits, an unknown method or transfer encoding,
 * an HTTP version other than 1.0 and 1.1, a body over {@code max-content-length}) with the API's
 * JSON error body instead of Pekko's plain text: 400 {@code bad_request}, 413
 * {@code payload_too_large}, 414 {@code uri_too_long}, 431 {@code header_fields_too_large}, 501
 * {@code not_implemented}, 505 {@code http_version_not_supported} ({@link ApiErrors#code}).
 *
 * <p>The engine closes the connection after such a response. The message is the error's summary,
 * never its detail (which may quote raw request bytes); the whole error is logged at WARN, as
 * Pekko's default handler does. {@link HttpServer} installs it through
 * {@code pekko.http.server.parsing.error-handler}, which names this class; Pekko creates it
 * reflectively, hence public with a no-argument constructor. Stateless and thread-safe.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, info.formatPretty());
    int code = status.intValue();
    return ApiErrors.response(code, ApiErrors.code(code), info.summary());
  }
}
