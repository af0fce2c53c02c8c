package io.leann.coordinator.chunk;

/**
 * Chunk sizes and overlaps, with LEANN's {@code leann build} defaults.
 *
 * <p>Prose and code windows are measured in tokens of the {@link TokenCounter} in use. AST chunks
 * are measured in non-whitespace characters, as astchunk (which LEANN uses) does; the defaults
 * are LEANN v0.3.2's 768/96 (newer LEANN uses 300/64). 768 non-whitespace characters of Java are
 * roughly 250-300 word pieces, so with a 256-token model the end of the largest AST chunks may be
 * truncated at embedding time; lower {@code astChunkSize} for such models.
 *
 * @param docChunkSize  prose window, tokens (LEANN: 256)
 * @param docOverlap    prose overlap, tokens (LEANN: 128)
 * @param codeChunkSize code line window, tokens (LEANN: 512)
 * @param codeOverlap   code line overlap, tokens (LEANN: 50)
 * @param useAst        whether to chunk code along its syntax tree where a parser is available
 *                      (LEANN: on)
 * @param astChunkSize  AST chunk, non-whitespace characters (LEANN v0.3.2: 768)
 * @param astOverlap    AST overlap, non-whitespace characters (LEANN v0.3.2: 96)
 * @param astFallback   whether a file AST chunking fails on is cut into line windows with a
 *                      warning rather than failing the build (LEANN's
 *                      {@code --ast-fallback-traditional}: on)
 */
public record ChunkingOptions(
    int docChunkSize,
    int docOverlap,
    int codeChunkSize,
    int codeOverlap,
    boolean useAst,
    int astChunkSize,
    int astOverlap,
    boolean astFallback) {

  public ChunkingOptions {
    check("doc", docChunkSize, docOverlap);
    check("code", codeChunkSize, codeOverlap);
    check("ast", astChunkSize, astOverlap);
  }

  /** LEANN's defaults: 256/128 prose, 512/50 code, AST on at 768/96 with fallback to line windows. */
  public static ChunkingOptions defaults() {
    return new ChunkingOptions(256, 128, 512, 50, true, 768, 96, true);
  }

  /** These options with prose window and overlap replaced. */
  public ChunkingOptions withDoc(int size, int overlap) {
    return new ChunkingOptions(size, overlap, codeChunkSize, codeOverlap, useAst, astChunkSize, astOverlap, astFallback);
  }

  /** These options with code window and overlap replaced. */
  public ChunkingOptions withCode(int size, int overlap) {
    return new ChunkingOptions(docChunkSize, docOverlap, size, overlap, useAst, astChunkSize, astOverlap, astFallback);
  }

  /** These options with AST chunking switched and its size and overlap replaced. */
  public ChunkingOptions withAst(boolean enabled, int size, int overlap) {
    return new ChunkingOptions(docChunkSize, docOverlap, codeChunkSize, codeOverlap, enabled, size, overlap, astFallback);
  }

  /** These options with falling back to line windows where AST chunking fails switched. */
  public ChunkingOptions withAstFallback(boolean enabled) {
    return new ChunkingOptions(docChunkSize, docOverlap, codeChunkSize, codeOverlap, useAst, astChunkSize, astOverlap, enabled);
  }

  private static void check(String what, int size, int overlap) {
    if (size <= 0) {
      throw new IllegalArgumentException(what + " chunk size must be positive: " + size);
    }
    if (overlap < 0 || overlap >= size) {
      throw new IllegalArgumentException(
          what + " overlap must be at least 0 and below the chunk size " + size + ": " + overlap);
    }
  }
}
