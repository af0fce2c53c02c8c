package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.ingest.Document;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sentence-aware token windows: size, overlap, line numbers, oversized sentences, unicode. */
class ProseChunkingTest {

  private static final TokenCounter TOKENS = ApproximateTokenCounter.INSTANCE;

  /** Numbered sentences of 13 tokens each, two per line, a blank line after every sixth. */
  private static String essay(int sentences) {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= sentences; i++) {
      text.append("Sentence number ").append(i).append(" talks about topic ").append(i).append(" and nothing else.");
      text.append(i % 6 == 0 ? "\n\n" : i % 2 == 0 ? "\n" : " ");
    }
    return text.toString();
  }

  private static List<String> sentencesOf(String text) {
    return SentenceSplitter.split(text).stream().map(s -> text.substring(s.start(), s.end())).toList();
  }

  /** Asserts the chunk's text lies in the document between its start and end lines, starting on the first and ending on the last. */
  private static void assertLinesMatch(String text, Chunk chunk) {
    int start = chunk.startLine();
    int end = chunk.endLine();
    String span = Docs.lines(text, start, end);
    int at = span.indexOf(chunk.text());
    assertTrue(at >= 0, () -> "chunk not within lines " + start + "-" + end + ": " + chunk.text());
    assertTrue(at <= Docs.lines(text, start, start).length(), "chunk starts on its start line");
    int lastLineStart = span.length() - Docs.lines(text, end, end).length();
    assertTrue(at + chunk.text().length() > lastLineStart, "chunk ends on its end line");
  }

  @Test
  void windowsRespectSizeOverlapAndLineNumbers() {
    String text = essay(40);
    Chunker chunker = new Chunker(ChunkingOptions.defaults().withDoc(40, 15));
    List<Chunk> chunks = chunker.chunk(Docs.of("essay.txt", text)).chunks();
    assertTrue(chunks.size() > 10);
    Set<String> covered = new HashSet<>();
    List<String> previous = List.of();
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      assertEquals(i, chunk.metadata().get(Chunk.CHUNK_INDEX));
      assertTrue(TOKENS.count(chunk.text()) <= 40, chunk.text());
      assertLinesMatch(text, chunk);
      List<String> sentences = sentencesOf(chunk.text());
      covered.addAll(sentences);
      if (i > 0) {
        List<String> shared = sentences.stream().filter(previous::contains).toList();
        assertFalse(shared.isEmpty(), "13-token sentences fit the 15-token overlap");
        assertEquals(shared, sentences.subList(0, shared.size()), "overlap is a prefix of the next chunk");
        assertEquals(shared, previous.subList(previous.size() - shared.size(), previous.size()), "and a suffix of the previous");
        assertTrue(shared.stream().mapToInt(TOKENS::count).sum() <= 15);
      }
      previous = sentences;
    }
    assertEquals(new HashSet<>(sentencesOf(text)), covered, "every sentence is in some chunk");
  }

  @Test
  void defaultsProduce256TokenWindowsWith128Overlap() {
    String text = essay(300);
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults()).chunk(Docs.of("essay.md", text)).chunks();
    for (int i = 0; i < chunks.size(); i++) {
      assertTrue(TOKENS.count(chunks.get(i).text()) <= 256);
      if (i < chunks.size() - 1) {
        assertTrue(TOKENS.count(chunks.get(i).text()) > 256 - 13, "windows are filled");
      }
      if (i > 0) {
        List<String> prev = sentencesOf(chunks.get(i - 1).text());
        List<String> next = sentencesOf(chunks.get(i).text());
        int overlap = next.stream().filter(prev::contains).mapToInt(TOKENS::count).sum();
        assertTrue(overlap <= 128 && overlap > 128 - 13, "overlap " + overlap);
      }
    }
  }

  @Test
  void sentenceLongerThanTheWindowIsSplitByTokensWithOverlap() {
    StringBuilder text = new StringBuilder("Short intro. ");
    for (int i = 0; i < 300; i++) {
      text.append("word").append(i).append(i % 20 == 19 ? "\n" : " ");
    }
    text.append("end. Short outro.");
    String s = text.toString();
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withDoc(50, 10)).chunk(Docs.of("long.txt", s)).chunks();
    assertTrue(chunks.size() >= 300 * 2 / 50);
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      assertTrue(TOKENS.count(chunk.text()) <= 50, chunk.text());
      assertLinesMatch(s, chunk);
      if (i > 0) {
        String[] prevWords = chunks.get(i - 1).text().split("\\s+");
        String firstWord = chunk.text().split("\\s+")[0];
        assertTrue(List.of(prevWords).contains(firstWord), "window " + i + " re-takes words of the previous one");
      }
    }
    assertTrue(chunks.getLast().text().endsWith("Short outro."));
  }

  @Test
  void wordLongerThanTheWindowIsCutOnTokenBoundaries() {
    String blob = "x".repeat(2000);
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withDoc(64, 0)).chunk(Docs.of("blob.txt", blob)).chunks();
    assertEquals(blob, String.join("", chunks.stream().map(Chunk::text).toList()));
    chunks.forEach(c -> assertTrue(TOKENS.count(c.text()) <= 64 * 2, "a cut word is re-measured as whole pieces"));
  }

  @Test
  void unicodeChunksAreExactSubstrings() {
    String para = "Gr\u00f6\u00dfe und na\u00efve Caf\u00e9s \uD83D\uDE00 sind sch\u00f6n. \u65e5\u672c\u8a9e\u306e\u6587\u3067\u3059\u3002"
        + "\u0420\u0443\u0441\u0441\u043a\u0438\u0439 \u0442\u0435\u043a\u0441\u0442 \u0442\u043e\u0436\u0435. ";
    String text = (para + "\n").repeat(30);
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults().withDoc(48, 16)).chunk(Docs.of("u.txt", text)).chunks();
    assertTrue(chunks.size() > 5);
    for (Chunk chunk : chunks) {
      assertTrue(text.contains(chunk.text()));
      assertFalse(Character.isLowSurrogate(chunk.text().charAt(0)));
      assertFalse(Character.isHighSurrogate(chunk.text().charAt(chunk.text().length() - 1)));
      assertTrue(TOKENS.count(chunk.text()) <= 48);
      assertLinesMatch(text, chunk);
    }
  }

  @Test
  void blankDocumentsYieldNothing() {
    Chunker chunker = new Chunker(ChunkingOptions.defaults());
    assertEquals(List.of(), chunker.chunk(Docs.of("empty.md", "")).chunks());
    assertEquals(List.of(), chunker.chunk(Docs.of("blank.txt", " \n\n\t\n")).chunks());
    assertEquals(List.of(), chunker.chunk(Docs.of("empty.py", "")).chunks());
  }

  @Test
  void metadataForASmallMarkdownFile() {
    Document doc = Docs.corpus("guide.md");
    List<Chunk> chunks = new Chunker(ChunkingOptions.defaults()).chunk(doc).chunks();
    assertEquals(1, chunks.size());
    Chunk only = chunks.getFirst();
    assertEquals(doc.text().strip(), only.text());
    assertEquals(new ArrayList<>(List.of(Chunk.FILE_PATH, Chunk.FILE_NAME, Chunk.RELATIVE_PATH, Chunk.LANGUAGE,
        Chunk.FILE_MODIFIED, Chunk.START_LINE, Chunk.END_LINE, Chunk.CHUNK_INDEX)), new ArrayList<>(only.metadata().keySet()));
    Map<String, Object> m = only.metadata();
    assertEquals("/corpus/guide.md", m.get(Chunk.FILE_PATH));
    assertEquals("guide.md", m.get(Chunk.FILE_NAME));
    assertEquals("markdown", m.get(Chunk.LANGUAGE));
    assertEquals(Docs.MODIFIED.getEpochSecond(), m.get(Chunk.FILE_MODIFIED));
    assertEquals(1, m.get(Chunk.START_LINE));
    assertEquals(12, m.get(Chunk.END_LINE));
  }

  @Test
  void pdfChunksRecordTheirPages() {
    String page1 = "Apples grow on trees. They are often red.";
    String page2 = "Pears grow on trees too. They are often green.";
    String text = page1 + "\n\n" + page2;
    Document doc = Docs.paged("fruit.pdf", text, List.of(0, page1.length() + 2));
    List<Chunk> small = new Chunker(ChunkingOptions.defaults().withDoc(6, 0)).chunk(doc).chunks();
    assertEquals(List.of(1, 1, 2, 2), small.stream().map(c -> c.metadata().get(Chunk.PAGE)).toList());
    Chunk whole = new Chunker(ChunkingOptions.defaults()).chunk(doc).chunks().getFirst();
    assertEquals(1, whole.metadata().get(Chunk.PAGE));
    assertEquals(2, whole.metadata().get(Chunk.PAGE_END));
    assertEquals("pdf", whole.metadata().get(Chunk.LANGUAGE));
  }
}
