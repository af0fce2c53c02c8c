package io.leann.coordinator.http;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of every error the API returns: {@code {"error": {"code": "...", "message": "..."}}}.
 * {@code code} is stable and meant for programs ({@code bad_request}, {@code invalid_json},
 * {@code not_found}, {@code unauthorized}, {@code payload_too_large}, ...); {@code message} is for
 * people and may change.
 */
public record ErrorResponse(@JsonProperty("error") Detail error) {

  public static ErrorResponse of(String code, String message) {
    return new ErrorResponse(new Detail(code, message));
  }

  /** The error itself. */
  public record Detail(@JsonProperty("code") String code, @JsonProperty("message") String message) {}
}
