package io.leann.coordinator.chunk;

import io.leann.coordinator.ingest.Document;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts documents into chunks for embedding, choosing the strategy by document format:
 *
 * <ul>
 *   <li>prose (text, Markdown, HTML, PDF): sentence-aware token windows,
 *       {@code docChunkSize}/{@code docOverlap};
 *   <li>code and config: line windows, {@code codeChunkSize}/{@code codeOverlap};
 *   <li>Java with {@code useAst}: AST chunks, {@code astChunkSize}/{@code astOverlap} in
 *       non-whitespace characters; a file JavaParser rejects falls back to line windows with an
 *       {@link ChunkWarning.Kind#AST_PARSE_FAILED} warning;
 *   <li>Python, JavaScript, TypeScript and C# with {@code useAst} (the languages LEANN's astchunk
 *       handles): no maintained pure-JVM parser of reasonable size exists (tree-sitter bindings need
 *       native libraries, GraalJS is tens of MB, Rhino lacks ES modules and TypeScript), so they get
 *       line windows and an {@link ChunkWarning.Kind#AST_UNSUPPORTED} warning, never silently. Other
 *       code languages get line windows without warning, as in LEANN.
 * </ul>
 *
 * <p>Every chunk carries the metadata listed in {@link Chunk}. Blank documents yield no chunk.
 *
 * <p>Immutable and thread-safe: one instance may chunk many documents concurrently, provided its
 * {@link TokenCounter} is thread-safe as that interface requires.
 */
public final class Chunker {

  /** Languages LEANN chunks by AST; those without a parser here are reported when they fall back. */
  private static final Set<String> AST_LANGUAGES = Set.of("java", "python", "javascript", "typescript", "csharp");

  private final ChunkingOptions options;
  private final ProseChunker prose;
  private final LineWindows codeLines;
  private final JavaAstChunker javaAst;

  public Chunker(ChunkingOptions options, TokenCounter counter) {
    this.options = options;
    this.prose = new ProseChunker(counter, options.docChunkSize(), options.docOverlap());
    this.codeLines = new LineWindows(counter, options.codeChunkSize(), options.codeOverlap());
    this.javaAst = new JavaAstChunker(options.astChunkSize(), options.astOverlap());
  }

  /** A chunker counting tokens with {@link ApproximateTokenCounter}. */
  public Chunker(ChunkingOptions options) {
    this(options, ApproximateTokenCounter.INSTANCE);
  }

  /** The chunks of one document, and the fallbacks taken for it. */
  public ChunkResult chunk(Document doc) {
    String text = doc.text();
    if (text.isBlank()) {
      return new ChunkResult(List.of(), List.of());
    }
    LineIndex lines = new LineIndex(text);
    List<ChunkWarning> warnings = new ArrayList<>();
    List<Piece> pieces;
    String language = doc.language();
    if (!doc.type().format().isCode()) {
      pieces = prose.chunk(text);
    } else if (!options.useAst() || !AST_LANGUAGES.contains(language)) {
      pieces = codeLines.chunk(text, lines);
    } else if (language.equals("java")) {
      pieces = javaAst(doc, lines, warnings);
    } else {
      warnings.add(new ChunkWarning(doc.path(), language, ChunkWarning.Kind.AST_UNSUPPORTED,
          "AST chunking not available for " + language + "; used line windows"));
      pieces = codeLines.chunk(text, lines);
    }
    List<Chunk> chunks = new ArrayList<>(pieces.size());
    for (Piece piece : pieces) {
      chunks.add(toChunk(doc, lines, piece, chunks.size()));
    }
    return new ChunkResult(chunks, warnings);
  }

  private List<Piece> javaAst(Document doc, LineIndex lines, List<ChunkWarning> warnings) {
    try {
      return javaAst.chunk(doc.text(), lines);
    } catch (JavaAstChunker.ParseException e) {
      warnings.add(new ChunkWarning(doc.path(), doc.language(), ChunkWarning.Kind.AST_PARSE_FAILED,
          doc.path() + ": " + e.getMessage()));
      return codeLines.chunk(doc.text(), lines);
    }
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
