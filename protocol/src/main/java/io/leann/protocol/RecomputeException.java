package io.leann.protocol;

/** A {@link Recomputer} could not produce the distances it was asked for. */
public class RecomputeException extends RuntimeException {
  public RecomputeException(String message) {
    super(message);
  }

  public RecomputeException(String message, Throwable cause) {
    super(message, cause);
  }
}
