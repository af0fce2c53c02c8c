package io.leann.coordinator.chunk;

import java.nio.file.Path;

/**
 * Something the chunker could not do as asked for one document; the document was still chunked,
 * by the stated fallback.
 *
 * @param file     the document's path
 * @param language the document's language
 * @param kind     what went wrong
 * @param message  human-readable detail, naming the fallback used
 */
public record ChunkWarning(Path file, String language, Kind kind, String message) {

  /** The kinds of fallback. */
  public enum Kind {
    /** AST chunking was requested but no parser for the language is available. */
    AST_UNSUPPORTED,
    /** The parser rejected the file (syntax error or language features it does not know). */
    AST_PARSE_FAILED
  }
}
