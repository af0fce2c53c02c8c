package io.leann.coordinator.chunk;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One passage-to-be: a piece of a document's text and the metadata users filter and cite on.
 *
 * <p>Metadata keys (snake_case, values in Jackson's natural types so the map can go straight into
 * a passage):
 * <ul>
 *   <li>{@value #FILE_PATH} (String): absolute path of the source file;
 *   <li>{@value #FILE_NAME} (String): its file name;
 *   <li>{@value #RELATIVE_PATH} (String): path relative to the input directory it was found under;
 *   <li>{@value #LANGUAGE} (String): {@code java}, {@code python}, {@code markdown}, {@code pdf}, ...;
 *   <li>{@value #FILE_MODIFIED} (Long): last-modified time in epoch seconds (UTC), chosen over an
 *       ISO string so that range filters ({@code >=}) compare numbers;
 *   <li>{@value #START_LINE}, {@value #END_LINE} (Integer): 1-based, inclusive lines of the
 *       document's text that the chunk covers (for HTML and PDF: lines of the extracted text);
 *   <li>{@value #CHUNK_INDEX} (Integer): 0-based position of the chunk within its document;
 *   <li>{@value #PAGE}, {@value #PAGE_END} (Integer, PDF only): 1-based pages where the chunk starts
 *       and ends;
 *   <li>{@value #TITLE} (String, only when the document has one): HTML or PDF title.
 * </ul>
 *
 * <p>For prose and line windows {@code text} is exactly the source text from the chunk's first to
 * its last character; for code line windows that is whole lines, joined by {@code \n}. AST chunks
 * may start with a one-line context comment naming the enclosing declaration, such as
 * {@code // class io.leann.demo.Library} or {@code # def TextWrapper.wrap} (see {@code AstPacker});
 * the lines after it are exact source lines {@code start_line..end_line}.
 *
 * <p>Immutable: the metadata map is a read-only copy in insertion order.
 *
 * @param text     the chunk text, never blank
 * @param metadata the metadata described above
 */
public record Chunk(String text, Map<String, Object> metadata) {

  public static final String FILE_PATH = "file_path";
  public static final String FILE_NAME = "file_name";
  public static final String RELATIVE_PATH = "relative_path";
  public static final String LANGUAGE = "language";
  public static final String FILE_MODIFIED = "file_modified";
  public static final String START_LINE = "start_line";
  public static final String END_LINE = "end_line";
  public static final String CHUNK_INDEX = "chunk_index";
  public static final String PAGE = "page";
  public static final String PAGE_END = "page_end";
  public static final String TITLE = "title";

  public Chunk {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("chunk text must not be blank");
    }
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** The 1-based first line, from the metadata. */
  public int startLine() {
    return (Integer) metadata.get(START_LINE);
  }

  /** The 1-based last line (inclusive), from the metadata. */
  public int endLine() {
    return (Integer) metadata.get(END_LINE);
  }
}
