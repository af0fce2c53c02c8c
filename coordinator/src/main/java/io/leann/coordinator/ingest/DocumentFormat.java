package io.leann.coordinator.ingest;

/**
 * How a file's content was read, and so which chunker suits it: {@link #isCode()} formats are
 * line-structured and are cut into line windows (or AST chunks), the others are prose and are cut
 * at sentence boundaries.
 */
public enum DocumentFormat {
  /** Plain text, read as is. */
  TEXT(false),
  /** Markdown, kept verbatim so that line numbers point into the source file. */
  MARKDOWN(false),
  /** Source code in a programming language, read as text. */
  CODE(true),
  /** Configuration and data files (JSON, YAML, XML, TOML, INI, properties), read as text. */
  CONFIG(true),
  /** HTML: the title and the visible text of the body, one line per block element. */
  HTML(false),
  /** PDF: the text of each page, pages separated by a blank line. */
  PDF(false),
  /**
   * Word, PowerPoint and Excel (OOXML): paragraphs and table rows; slide text and notes, one block
   * per slide; per sheet its name then its rows, cells tab-separated.
   */
  OFFICE(false),
  /** EPUB: the text of the XHTML documents of the spine, in reading order. */
  EPUB(false);

  private final boolean code;

  DocumentFormat(boolean code) {
    this.code = code;
  }

  /** Whether the content is line-structured code or configuration rather than prose. */
  public boolean isCode() {
    return code;
  }
}
