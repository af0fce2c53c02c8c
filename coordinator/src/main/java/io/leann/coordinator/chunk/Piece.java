package io.leann.coordinator.chunk;

/**
 * A chunk before metadata: the char range {@code [start, end)} of the document text it covers and
 * an optional context line placed before that text ({@code ""} for none).
 */
record Piece(int start, int end, String context) {

  static Piece of(int start, int end) {
    return new Piece(start, end, "");
  }
}
