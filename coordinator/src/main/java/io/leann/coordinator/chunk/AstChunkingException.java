package io.leann.coordinator.chunk;

/**
 * AST chunking of a document failed and falling back to line windows was turned off
 * ({@code --no-ast-fallback-traditional}); the message names the file and the problem.
 */
public final class AstChunkingException extends RuntimeException {

  AstChunkingException(String message) {
    super("AST chunking failed: " + message + " (--ast-fallback-traditional cuts such files into line windows)");
  }
}
