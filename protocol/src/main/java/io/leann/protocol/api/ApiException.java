package io.leann.protocol.api;

/**
 * A failure with an HTTP status and a stable error code, rendered as
 * {@code {"error": {"code", "message"}}}: 400 bad input (the field is named), 401 missing or wrong
 * admin token, 404 unknown index / shard / node / job, 409 conflict, 413 body too large, 503 no
 * shard or worker can answer.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public static ApiException badRequest(String field, String problem) {
    return new ApiException(400, "bad_request", "field '" + field + "' " + problem);
  }

  public static ApiException notFound(String what, String name) {
    return new ApiException(404, "not_found", what + " '" + name + "' does not exist");
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "unavailable", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
