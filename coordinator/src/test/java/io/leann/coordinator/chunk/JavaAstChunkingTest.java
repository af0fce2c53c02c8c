package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.ingest.Document;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AST chunking of Java via JavaParser. */
class JavaAstChunkingTest {

  private static final Document LIBRARY = Docs.corpus("Library.java");
  private static final int CLASS_LINE = lineOf("public class Library {");

  /** Javadoc first lines and the signatures they document. */
  private static final Map<String, String> JAVADOC_OF = Map.of(
      "public Optional<Book> addBook(Book book) {", "Adds a book to the catalogue",
      "public Optional<Book> findByIsbn(String isbn) {", "Finds a book by ISBN.",
      "public Loan lend(String isbn, String memberId, LocalDate today) {", "Lends a book to a member",
      "public Status status(String isbn) {", "The status of a book",
      "public long fineInCents(Loan loan, LocalDate returnedOn) {", "Computes the fine for a loan",
      "public Loan(String isbn, String memberId, LocalDate start, LocalDate due) {", "A new, open loan.");

  private static int lineOf(String needle) {
    String[] lines = LIBRARY.text().split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError(needle);
  }

  /** The chunk text without its context line, if it has one. */
  private static String body(Chunk chunk) {
    return hasContext(chunk) ? chunk.text().substring(chunk.text().indexOf('\n') + 1) : chunk.text();
  }

  private static boolean hasContext(Chunk chunk) {
    return chunk.text().startsWith("// class ") || chunk.text().startsWith("// record ") || chunk.text().startsWith("// enum ");
  }

  private static List<Chunk> chunk(int size, int overlap) {
    ChunkResult result = new Chunker(ChunkingOptions.defaults().withAst(true, size, overlap)).chunk(LIBRARY);
    assertEquals(List.of(), result.warnings());
    return result.chunks();
  }

  private static void assertWellFormed(List<Chunk> chunks, int size) {
    for (Chunk chunk : chunks) {
      String body = body(chunk);
      assertEquals(Docs.lines(LIBRARY.text(), chunk.startLine(), chunk.endLine()), body, "body is exact source lines");
      assertTrue(NonWhitespaceCounter.INSTANCE.count(body) <= size, () -> "within " + size + ": " + body);
      assertFalse(body.strip().startsWith("}"), () -> "no chunk starts with a closing brace: " + body);
      assertEquals(chunk.startLine() > CLASS_LINE, hasContext(chunk), () -> "context iff inside the class: " + chunk.text());
      assertEquals("java", chunk.metadata().get(Chunk.LANGUAGE));
    }
    for (Map.Entry<String, String> e : JAVADOC_OF.entrySet()) {
      Chunk holder = chunks.stream().filter(c -> c.text().contains(e.getKey())).findFirst().orElseThrow();
      assertTrue(holder.text().contains(e.getValue()), () -> "Javadoc travels with " + e.getKey() + ":\n" + holder.text());
    }
  }

  @Test
  void defaultsSplitTheClassAtMemberBoundaries() {
    List<Chunk> chunks = chunk(768, 96);
    assertTrue(chunks.size() >= 3, "a 3.6 KB class does not fit one 768-char chunk");
    assertWellFormed(chunks, 768);
    Chunk first = chunks.getFirst();
    assertEquals(1, first.startLine());
    assertTrue(first.text().contains("package io.leann.demo;") && first.text().contains("public class Library {"),
        "header, imports and class signature open the file's first chunk");
    assertTrue(chunks.get(1).text().startsWith("// class io.leann.demo.Library\n"), chunks.get(1).text());
    for (int i = 1; i < chunks.size(); i++) {
      int gapStart = chunks.get(i - 1).endLine() + 1;
      int gapEnd = chunks.get(i).startLine() - 1;
      assertTrue(gapStart > gapEnd || Docs.lines(LIBRARY.text(), gapStart, gapEnd).isBlank(), "only blank lines fall between chunks");
    }
    assertEquals(LIBRARY.text().split("\n").length, chunks.getLast().endLine());
  }

  @Test
  void smallBudgetSplitsEveryMethodAndLongMethodsIntoLineWindows() {
    List<Chunk> chunks = chunk(250, 0);
    assertWellFormed(chunks, 250);
    int fineStart = lineOf("public long fineInCents");
    int fineEnd = lineOf("return fine;") + 1;
    long fineChunks = chunks.stream().filter(c -> c.startLine() >= fineStart - 4 && c.endLine() <= fineEnd).count();
    assertTrue(fineChunks >= 2, "the long method is cut into line windows");
    assertTrue(chunks.stream().anyMatch(c -> c.text().startsWith("// record io.leann.demo.Library.Loan\n")
        || c.text().contains("public record Loan(")), "nested record is chunked");
  }

  @Test
  void overlapRetakesSmallTrailingMembers() {
    List<Chunk> chunks = chunk(400, 200);
    assertWellFormed(chunks, 400);
    boolean anyOverlap = false;
    for (int i = 1; i < chunks.size(); i++) {
      anyOverlap |= chunks.get(i).startLine() <= chunks.get(i - 1).endLine();
    }
    assertTrue(anyOverlap);
  }

  @Test
  void syntaxErrorFallsBackToLineWindowsWithAWarning() {
    Document broken = Docs.of("Broken.java", "class Broken {\n  void f( {\n  }\n}\n");
    ChunkResult result = new Chunker(ChunkingOptions.defaults()).chunk(broken);
    assertEquals(1, result.warnings().size());
    assertEquals(ChunkWarning.Kind.AST_PARSE_FAILED, result.warnings().getFirst().kind());
    assertTrue(result.warnings().getFirst().message().startsWith("/corpus/Broken.java: "), result.warnings().getFirst().message());
    assertEquals(broken.text().strip(), result.chunks().getFirst().text());
  }

  @Test
  void astOffUsesCodeLineWindowsWithoutContextLines() {
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withAst(false, 768, 96).withCode(120, 20)).chunk(LIBRARY).chunks();
    assertTrue(chunks.size() > 3);
    for (Chunk chunk : chunks) {
      assertEquals(Docs.lines(LIBRARY.text(), chunk.startLine(), chunk.endLine()), chunk.text());
    }
  }

  @Test
  void newerJavaSyntaxStillParses() {
    String source = """
        import module java.base;

        class Counter {
          int count(List<String> xs) {
            int n = 0;
            for (String _ : xs) {
              n++;
            }
            return n;
          }
        }
        """;
    ChunkResult result = new Chunker(ChunkingOptions.defaults()).chunk(Docs.of("Counter.java", source));
    assertEquals(List.of(), result.warnings());
    assertEquals(source.strip(), result.chunks().getFirst().text());
  }

  @Test
  void smallFileIsOneChunkWithoutContext() {
    Document small = Docs.of("Point.java", "package geo;\n\n/** A point. */\npublic record Point(int x, int y) {\n}\n");
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults()).chunk(small).chunks();
    assertEquals(1, chunks.size());
    assertEquals(small.text().strip(), chunks.getFirst().text());
    assertEquals(5, chunks.getFirst().endLine());
  }
}
