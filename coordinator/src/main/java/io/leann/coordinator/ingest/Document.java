package io.leann.coordinator.ingest;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * One loaded file: its extracted text and what is known about the file.
 *
 * <p>Invariants: {@code text} uses {@code \n} line ends only (CRLF and CR are normalised, a BOM is
 * dropped), so line numbers computed on it match an editor's; for TEXT, MARKDOWN, CODE and CONFIG
 * the text is the file's content, for HTML, PDF, OFFICE and EPUB the extracted text.
 * {@code pageStarts} is empty except for PDFs, where entry {@code i} is the offset in {@code text}
 * where page {@code i + 1} begins (strictly increasing, first entry 0). Immutable and thread-safe.
 *
 * @param path         absolute, normalised path of the file
 * @param relativePath {@code /}-separated path relative to the deepest directory holding all the
 *                     inputs of the load: for one input directory, relative to it; for one file,
 *                     its name; for {@code bash/copyright} and {@code zsh/copyright}, those
 * @param text         extracted text, possibly empty
 * @param type         how the file was read and its language
 * @param modified     last-modified time of the file
 * @param size         size of the file in bytes
 * @param contentHash  SHA-256 of the file's bytes, lower-case hex
 * @param title        HTML {@code <title>}, PDF, Office or EPUB title, {@code ""} when there is none
 * @param pageStarts   offsets of page starts in {@code text} (PDF only)
 */
public record Document(
    Path path,
    String relativePath,
    String text,
    FileType type,
    Instant modified,
    long size,
    String contentHash,
    String title,
    List<Integer> pageStarts) {

  public Document {
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("document path must be absolute: " + path);
    }
    pageStarts = List.copyOf(pageStarts);
  }

  /** The file name, e.g. {@code Library.java}. */
  public String fileName() {
    return path.getFileName().toString();
  }

  /** The language or format name, e.g. {@code java}, {@code markdown}, {@code pdf}. */
  public String language() {
    return type.language();
  }

  /** Whether {@link #pageAt(int)} is meaningful: the document has page structure. */
  public boolean isPaginated() {
    return !pageStarts.isEmpty();
  }

  /**
   * The 1-based page holding the character at {@code offset} of {@link #text()}.
   *
   * @throws IllegalStateException when the document is not paginated
   */
  public int pageAt(int offset) {
    if (pageStarts.isEmpty()) {
      throw new IllegalStateException(path + " has no pages");
    }
    int i = Collections.binarySearch(pageStarts, offset);
    return i >= 0 ? i + 1 : -i - 1;
  }
}
