package io.leann.coordinator.chunk;

/**
 * A unit of packing: the char range {@code [start, end)} of a sentence, a line or an AST member in
 * a document's text, and its cost in the active measure (tokens or non-whitespace characters).
 */
record Span(int start, int end, int cost) {
}
