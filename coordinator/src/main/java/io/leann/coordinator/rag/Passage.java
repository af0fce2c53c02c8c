package io.leann.coordinator.rag;

import io.leann.coordinator.chunk.Chunk;
import io.leann.protocol.api.ChatSource;
import io.leann.protocol.api.SearchResponse;
import java.util.Locale;
import java.util.Map;

/**
 * A retrieved passage as the RAG flow cites it: its text plus where it comes from.
 *
 * @param id passage id
 * @param score search score
 * @param text passage text
 * @param source the file it comes from: metadata {@code file_path}, else {@code source},
 *     {@code relative_path}, {@code file_name}, else {@code passage <id>} (LEANN cites
 *     {@code file_path} or {@code source} the same way)
 * @param startLine first line in the file, or null
 * @param endLine last line in the file, or null
 * @param startPage first page of a PDF passage, or null
 * @param endPage last page of a PDF passage, or null
 * @param metadata all metadata of the passage
 */
public record Passage(String id, float score, String text, String source, Integer startLine, Integer endLine,
    Integer startPage, Integer endPage, Map<String, Object> metadata) {

  public Passage {
    text = text == null ? "" : text;
    metadata = metadata == null ? Map.of() : metadata;
  }

  /** A passage from a search hit and its metadata. */
  public static Passage of(String id, float score, String text, Map<String, Object> metadata) {
    Map<String, Object> m = metadata == null ? Map.of() : metadata;
    String source = firstText(m, Chunk.FILE_PATH, "source", Chunk.RELATIVE_PATH, Chunk.FILE_NAME);
    return new Passage(id, score, text, source == null ? "passage " + id : source,
        integer(m.get(Chunk.START_LINE)), integer(m.get(Chunk.END_LINE)),
        integer(m.get(Chunk.PAGE)), integer(m.get(Chunk.PAGE_END)), m);
  }

  public static Passage of(SearchResponse.Hit hit) {
    return of(hit.id(), hit.score(), hit.text(), hit.metadata());
  }

  /** {@code <source> (lines a-b)}, {@code (line a)} or {@code (pages a-b)}; the bare source when neither is known. */
  public String label() {
    if (startLine != null) {
      return source + (endLine == null || endLine.equals(startLine)
          ? " (line " + startLine + ")" : " (lines " + startLine + "-" + endLine + ")");
    }
    if (startPage != null) {
      return source + (endPage == null || endPage.equals(startPage)
          ? " (page " + startPage + ")" : " (pages " + startPage + "-" + endPage + ")");
    }
    return source;
  }

  /**
   * {@code [rank] (score 0.812) Source: <label>}: the heading under which the ReAct agent and MCP
   * clients see a passage, LEANN's agent's format.
   */
  public String heading(int rank) {
    return String.format(Locale.ROOT, "[%d] (score %.3f) Source: %s", rank, score, label());
  }

  /** The passage as the API returns it. */
  public ChatSource toSource() {
    return new ChatSource(id, score, source, startLine, endLine, text, metadata);
  }

  private static String firstText(Map<String, Object> m, String... keys) {
    for (String key : keys) {
      Object v = m.get(key);
      if (v != null && !v.toString().isBlank()) {
        return v.toString();
      }
    }
    return null;
  }

  /** Metadata numbers arrive as Integer, Long or (from other writers) numeric strings. */
  private static Integer integer(Object value) {
    if (value instanceof Number n) {
      return n.intValue();
    }
    if (value instanceof String s) {
      try {
        return Integer.valueOf(s.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
