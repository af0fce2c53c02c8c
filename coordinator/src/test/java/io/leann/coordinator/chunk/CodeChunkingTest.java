package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.ingest.Document;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Line windows for code, and the reported fallbacks of AST chunking. */
class CodeChunkingTest {

  private static final TokenCounter TOKENS = ApproximateTokenCounter.INSTANCE;

  private static String generatedGo(int lines) {
    StringBuilder text = new StringBuilder("package demo\n\n");
    for (int i = 1; i <= lines; i++) {
      text.append(i % 10 == 0 ? "\n" : "\tvalue" + i + " := compute(a" + i + ", b" + i + ")\n");
    }
    return text.toString();
  }

  @Test
  void lineWindowsAreWholeSourceLinesWithLineOverlap() {
    String text = generatedGo(200);
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withCode(60, 15)).chunk(Docs.of("gen.go", text)).chunks();
    assertTrue(chunks.size() > 10);
    String[] lines = text.split("\n", -1);
    boolean[] covered = new boolean[lines.length + 1];
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      assertEquals(Docs.lines(text, chunk.startLine(), chunk.endLine()), chunk.text(), "exact source lines");
      assertTrue(TOKENS.count(chunk.text()) <= 60);
      assertFalse(lines[chunk.startLine() - 1].isBlank());
      assertFalse(lines[chunk.endLine() - 1].isBlank());
      for (int l = chunk.startLine(); l <= chunk.endLine(); l++) {
        covered[l] = true;
      }
      if (i > 0) {
        Chunk prev = chunks.get(i - 1);
        assertTrue(chunk.startLine() <= prev.endLine(), "consecutive windows share lines");
        assertTrue(chunk.startLine() > prev.startLine(), "and make progress");
        String shared = Docs.lines(text, chunk.startLine(), prev.endLine());
        assertTrue(TOKENS.count(shared) <= 15, "shared lines stay within the overlap");
      }
    }
    for (int l = 1; l < lines.length; l++) {
      assertTrue(covered[l] || lines[l - 1].isBlank(), "line " + l + " covered");
    }
  }

  @Test
  void overlongLineIsSplitWithinTheLine() {
    String text = "const a = 1;\n" + "var x=[" + "1,2,3,4,5,6,7,8,9,".repeat(200) + "0];\nconst b = 2;\n";
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withAst(false, 768, 96)).chunk(Docs.of("min.js", text)).chunks();
    assertTrue(chunks.size() > 5);
    for (Chunk chunk : chunks) {
      assertTrue(TOKENS.count(chunk.text()) <= 512);
      assertTrue(text.contains(chunk.text()));
    }
    assertEquals(1, chunks.getFirst().startLine());
    assertEquals(3, chunks.getLast().endLine());
  }

  @Test
  void pythonIsChunkedByAstWithoutTheOldWarning() {
    Document doc = Docs.corpus("inventory.py");
    ChunkResult result = new Chunker(ChunkingOptions.defaults().withAst(true, 200, 0)).chunk(doc);
    assertEquals(List.of(), result.warnings());
    assertTrue(result.chunks().size() > 1);
    for (Chunk chunk : result.chunks()) {
      assertTrue(chunk.text().endsWith(Docs.lines(doc.text(), chunk.startLine(), chunk.endLine())), chunk.text());
      assertEquals("python", chunk.metadata().get(Chunk.LANGUAGE));
    }
  }

  @Test
  void noWarningWhenAstIsOffOrTheLanguageHasNoAstInLeann() {
    ChunkingOptions noAst = ChunkingOptions.defaults().withAst(false, 768, 96);
    assertEquals(List.of(), new Chunker(noAst).chunk(Docs.corpus("inventory.py")).warnings());
    assertEquals(List.of(), new Chunker(ChunkingOptions.defaults()).chunk(Docs.of("main.go", generatedGo(30))).warnings());
    assertEquals(List.of(), new Chunker(ChunkingOptions.defaults()).chunk(Docs.of("ci.yaml", "on: push\njobs: {}\n")).warnings());
  }

  @Test
  void optionsAreValidated() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ChunkingOptions.defaults().withDoc(100, 100));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ChunkingOptions.defaults().withCode(0, 0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ChunkingOptions.defaults().withAst(true, 10, -1));
    assertEquals(new ChunkingOptions(256, 128, 512, 50, true, 768, 96, true), ChunkingOptions.defaults());
  }
}
