package io.leann.coordinator.chunk;

/** A parser rejected a source file; the message names the first problem and its position. */
final class AstParseException extends Exception {

  AstParseException(String message) {
    super(message);
  }
}
