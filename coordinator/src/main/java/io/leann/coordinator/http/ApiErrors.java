package io.leann.coordinator.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import io.leann.coordinator.api.InternalDetails;
import io.leann.coordinator.api.Json;
import io.leann.protocol.api.ApiException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns everything that can go wrong in a request into a JSON {@link ErrorResponse} with the right
 * status, so clients never have to parse Pekko's plain-text defaults.
 *
 * <ul>
 *   <li>{@link ApiException}: its own status and code (400 bad input, 404 unknown index, ...).
 *   <li>A body over the size limit: 413 {@code payload_too_large}, whether Pekko reports it as a
 *       rejection or as an exception.
 *   <li>{@link TimeoutException} (ask timeouts of the cluster service): 503 {@code unavailable}.
 *   <li>An unknown path: 404 {@code not_found}; a known path with another method: 405 with
 *       {@code Allow}; every other rejection keeps Pekko's status and message, rewrapped as JSON.
 *   <li>Anything else: 500 {@code internal_error} with a generic message; the cause is logged with
 *       the request line, never sent, since it may name files or hosts of the server.
 *   <li>Errors of the HTTP engine itself (a request it cannot parse: 400, 413, 414, 431, 501, 505):
 *       the same JSON through {@link JsonParsingErrorHandler}.
 * </ul>
 * Messages taken from exceptions pass through {@link InternalDetails} first, so no absolute server
 * path or Java class name reaches a client. {@link #code(int)} is the one mapping from a status to
 * its error code.
 */
final class ApiErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
  private static final String UNAVAILABLE = "unavailable";

  private ApiErrors() {}

  /**
   * A JSON error response. A 503 {@code unavailable} (no shard or node answered in time: one
   * loading, moving or restarting) says {@code Retry-After: 1}, so clients know it is worth
   * another try and when; a language model's 503 does not, since it is rarely that brief.
   */
  static HttpResponse response(int status, String code, String message) {
    return response(status, ErrorResponse.of(code, message));
  }

  private static HttpResponse response(int status, ErrorResponse body) {
    HttpResponse response = HttpResponse.create().withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(body));
    return status == 503 && UNAVAILABLE.equals(body.error().code())
        ? response.addHeader(RetryAfter.create(1L)) : response;
  }

  static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(t -> extractRequest(request -> complete(response(unwrap(t), request))))
        .build();
  }

  static RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, r -> complete(
            r.getCause() instanceof EntityStreamSizeException e ? tooLarge(e)
                : response(400, "bad_request", "the request body cannot be read: " + r.message())))
        .handleNotFound(extractRequest(request -> complete(response(404, "not_found",
            "no route for " + request.method().value() + " " + request.getUri().path()))))
        .build()
        .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(ApiErrors::asJson));
  }

  /** The body of {@code e} as a client may see it (also the payload of streamed error events). */
  static ErrorResponse body(ApiException e) {
    return ErrorResponse.of(e.code(), InternalDetails.stripped(e.getMessage()));
  }

  private static HttpResponse response(Throwable t, HttpRequest request) {
    if (t instanceof ApiException e) {
      return response(e.status(), body(e));
    }
    if (t instanceof EntityStreamSizeException e) {
      return tooLarge(e);
    }
    if (t instanceof TimeoutException) {
      return response(503, "unavailable",
          "the cluster did not answer in time: " + InternalDetails.stripped(t.getMessage()));
    }
    LOG.error("{} {} failed", request.method().value(), request.getUri().path(), t);
    return response(500, "internal_error", "internal server error; the server log has the details");
  }

  private static HttpResponse tooLarge(EntityStreamSizeException e) {
    return response(413, "payload_too_large",
        "the request body is larger than the limit of " + e.limit() + " bytes");
  }

  /** The failure a stage or an ask wrapped. */
  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Rewraps one of Pekko's plain-text rejection responses as a JSON error, status and headers kept. */
  private static HttpResponse asJson(HttpResponse response) {
    String message = response.entity() instanceof HttpEntity.Strict strict
        ? strict.getData().utf8String() : response.status().reason();
    return response.withEntity(ContentTypes.APPLICATION_JSON,
        Json.bytes(ErrorResponse.of(code(response.status().intValue()), message)));
  }

  /** The error code of a status that carries no code of its own (Pekko's rejections and engine errors). */
  static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 408 -> "request_timeout";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 417 -> "expectation_failed";
      case 431 -> "header_fields_too_large";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> status >= 500 ? "internal_error" : "bad_request";
    };
  }
}
