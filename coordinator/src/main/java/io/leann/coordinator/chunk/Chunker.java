package io.leann.coordinator.chunk;

import io.leann.coordinator.ingest.Document;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts documents into chunks for embedding, choosing the strategy by document format:
 *
 * <ul>
 *   <li>prose (text, Markdown, HTML, PDF): sentence-aware token windows,
 *       {@code docChunkSize}/{@code docOverlap};
 *   <li>code and config: line windows, {@code codeChunkSize}/{@code codeOverlap};
 *   <li>Java with {@code useAst}: AST chunks via JavaParser ({@link JavaAstChunker});
 *   <li>Python, JavaScript, TypeScript and C# with {@code useAst} (the other languages LEANN's
 *       astchunk handles): AST chunks via tree-sitter ({@link TreeSitterChunker});
 *   <li>AST chunks measure {@code astChunkSize}/{@code astOverlap} in non-whitespace characters. A
 *       file the parser rejects, or whose grammar's native library does not load on this
 *       platform, falls back to line windows with an {@link ChunkWarning.Kind#AST_PARSE_FAILED}
 *       or {@link ChunkWarning.Kind#AST_UNSUPPORTED} warning, never silently; with
 *       {@code astFallback} off it fails with {@link AstChunkingException} instead, as LEANN does
 *       without {@code --ast-fallback-traditional}. Other code languages get line windows without
 *       warning, as in LEANN.
 * </ul>
 *
 * <p>Every chunk carries the metadata listed in {@link Chunk}. Blank documents yield no chunk.
 *
 * <p>Immutable and thread-safe: one instance may chunk many documents concurrently, provided its
 * {@link TokenCounter} is thread-safe as that interface requires.
 */
public final class Chunker {

  private final ChunkingOptions options;
  private final ProseChunker prose;
  private final LineWindows codeLines;
  private final JavaAstChunker javaAst;
  private final TreeSitterChunker treeSitter;

  public Chunker(ChunkingOptions options, TokenCounter counter) {
    this.options = options;
    this.prose = new ProseChunker(counter, options.docChunkSize(), options.docOverlap());
    this.codeLines = new LineWindows(counter, options.codeChunkSize(), options.codeOverlap());
    this.javaAst = new JavaAstChunker(options.astChunkSize(), options.astOverlap());
    this.treeSitter = new TreeSitterChunker(options.astChunkSize(), options.astOverlap());
  }

  /** A chunker counting tokens with {@link ApproximateTokenCounter}. */
  public Chunker(ChunkingOptions options) {
    this(options, ApproximateTokenCounter.INSTANCE);
  }

  /**
   * The chunks of one document, and the fallbacks taken for it.
   *
   * @throws AstChunkingException if AST chunking of the document failed and {@code astFallback} is off
   */
  public ChunkResult chunk(Document doc) {
    String text = doc.text();
    if (text.isBlank()) {
      return new ChunkResult(List.of(), List.of());
    }
    LineIndex lines = new LineIndex(text);
    List<ChunkWarning> warnings = new ArrayList<>();
    List<Piece> pieces;
    String language = doc.language();
    TreeSitterGrammar grammar = TreeSitterGrammar.forLanguage(language);
    if (!doc.type().format().isCode()) {
      pieces = prose.chunk(text);
    } else if (!options.useAst() || (grammar == null && !language.equals("java"))) {
      pieces = codeLines.chunk(text, lines);
    } else {
      try {
        pieces = grammar == null ? javaAst.chunk(text, lines) : treeSitter.chunk(grammar, text, lines);
      } catch (AstParseException e) {
        pieces = fallBack(doc, lines, warnings, ChunkWarning.Kind.AST_PARSE_FAILED, doc.path() + ": " + e.getMessage());
      } catch (TreeSitterGrammar.UnavailableException e) {
        pieces = fallBack(doc, lines, warnings, ChunkWarning.Kind.AST_UNSUPPORTED,
            "AST chunking not available for " + language + ": " + e.getMessage() + "; used line windows");
      }
    }
    List<Chunk> chunks = new ArrayList<>(pieces.size());
    for (Piece piece : pieces) {
      chunks.add(toChunk(doc, lines, piece, chunks.size()));
    }
    return new ChunkResult(chunks, warnings);
  }

  /** Line windows for a document AST chunking failed on, with a warning; or the failure, if fallback is off. */
  private List<Piece> fallBack(Document doc, LineIndex lines, List<ChunkWarning> warnings, ChunkWarning.Kind kind,
      String message) {
    if (!options.astFallback()) {
      throw new AstChunkingException(message);
    }
    warnings.add(new ChunkWarning(doc.path(), doc.language(), kind, message));
    return codeLines.chunk(doc.text(), lines);
  }

  private static Chunk toChunk(Document doc, LineIndex lines, Piece piece, int index) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(Chunk.FILE_PATH, doc.path().toString());
    meta.put(Chunk.FILE_NAME, doc.fileName());
    meta.put(Chunk.RELATIVE_PATH, doc.relativePath());
    meta.put(Chunk.LANGUAGE, doc.language());
    meta.put(Chunk.FILE_MODIFIED, doc.modified().getEpochSecond());
    meta.put(Chunk.START_LINE, lines.lineOf(piece.start()));
    meta.put(Chunk.END_LINE, lines.lineOf(piece.end() - 1));
    meta.put(Chunk.CHUNK_INDEX, index);
    if (doc.isPaginated()) {
      meta.put(Chunk.PAGE, doc.pageAt(piece.start()));
      meta.put(Chunk.PAGE_END, doc.pageAt(piece.end() - 1));
    }
    if (!doc.title().isEmpty()) {
      meta.put(Chunk.TITLE, doc.title());
    }
    String body = doc.text().substring(piece.start(), piece.end());
    return new Chunk(piece.context().isEmpty() ? body : piece.context() + "\n" + body, meta);
  }
}
