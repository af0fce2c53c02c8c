package io.leann.coordinator.chunk;

import java.util.LinkedHashMap;
import java.util.Map;

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

  /** {@code backend_kwargs} key under which a build records its chunking ({@link #record}). */
  public static final String KWARGS_KEY = "chunking";

  /**
   * Writes these options into a meta's {@code backend_kwargs}, so every later build of the index
   * (an API ingest on any host) chunks as the one that made it.
   */
  public void record(Map<String, Object> kwargs) {
    // In a fixed order: the meta's checksum covers its bytes.
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("doc_chunk_size", docChunkSize);
    c.put("doc_chunk_overlap", docOverlap);
    c.put("code_chunk_size", codeChunkSize);
    c.put("code_chunk_overlap", codeOverlap);
    c.put("use_ast", useAst);
    c.put("ast_chunk_size", astChunkSize);
    c.put("ast_chunk_overlap", astOverlap);
    c.put("ast_fallback", astFallback);
    kwargs.put(KWARGS_KEY, c);
  }

  /**
   * The chunking a meta's {@code backend_kwargs} records, or the defaults for an index whose meta
   * records none (one the Python LEANN built, or an earlier version of this one).
   *
   * @throws IllegalArgumentException if the recorded options are malformed
   */
  public static ChunkingOptions recorded(Map<String, Object> kwargs) {
    if (kwargs == null || !(kwargs.get(KWARGS_KEY) instanceof Map<?, ?> c)) {
      return defaults();
    }
    ChunkingOptions d = defaults();
    return new ChunkingOptions(intOr(c, "doc_chunk_size", d.docChunkSize), intOr(c, "doc_chunk_overlap", d.docOverlap),
        intOr(c, "code_chunk_size", d.codeChunkSize), intOr(c, "code_chunk_overlap", d.codeOverlap),
        boolOr(c, "use_ast", d.useAst), intOr(c, "ast_chunk_size", d.astChunkSize),
        intOr(c, "ast_chunk_overlap", d.astOverlap), boolOr(c, "ast_fallback", d.astFallback));
  }

  private static int intOr(Map<?, ?> recorded, String key, int fallback) {
    Object v = recorded.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("backend_kwargs.chunking." + key + " is not a number: " + v);
    }
    return n.intValue();
  }

  private static boolean boolOr(Map<?, ?> recorded, String key, boolean fallback) {
    Object v = recorded.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Boolean b)) {
      throw new IllegalArgumentException("backend_kwargs.chunking." + key + " is not true or false: " + v);
    }
    return b;
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
