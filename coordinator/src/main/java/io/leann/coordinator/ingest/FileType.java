package io.leann.coordinator.ingest;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a file is, judged by its extension: how to read it and which language it is in.
 *
 * <p>{@link #DEFAULT_EXTENSIONS} are the known types: LEANN's CLI list (text, Markdown, code,
 * config, HTML, Word, PowerPoint) plus PDF, Excel, EPUB and a few JVM languages, minus {@code .ipynb},
 * which would need a converter this build does not ship. A name without an extension or with one
 * outside the table is plain text, loaded only if its content is text.
 *
 * @param format   how the content is read
 * @param language lower-case language or format name, e.g. {@code java}, {@code python},
 *                 {@code markdown}, {@code text}, {@code pdf}; used for chunk metadata and to pick
 *                 an AST chunker
 */
public record FileType(DocumentFormat format, String language) {

  private static final Map<String, FileType> BY_EXTENSION = table();

  /** The extensions of the known types, lower case with a leading dot. */
  public static final Set<String> DEFAULT_EXTENSIONS = Set.copyOf(BY_EXTENSION.keySet());

  /** The type of a file from its name (case-insensitive); unknown extensions are plain text. */
  public static FileType of(String fileName) {
    String ext = extension(fileName);
    FileType known = BY_EXTENSION.get(ext);
    return known != null ? known : new FileType(DocumentFormat.TEXT, "text");
  }

  /** The lower-case extension of a file name with its dot ({@code ".md"}), or {@code ""}. */
  static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot <= 0 ? "" : fileName.substring(dot).toLowerCase(Locale.ROOT);
  }

  private static Map<String, FileType> table() {
    Map<String, FileType> t = new TreeMap<>();
    put(t, DocumentFormat.TEXT, "text", ".txt", ".text");
    put(t, DocumentFormat.TEXT, "rst", ".rst");
    put(t, DocumentFormat.TEXT, "asciidoc", ".adoc", ".asciidoc");
    put(t, DocumentFormat.TEXT, "latex", ".tex");
    put(t, DocumentFormat.MARKDOWN, "markdown", ".md", ".markdown", ".mdx");
    put(t, DocumentFormat.HTML, "html", ".html", ".htm", ".xhtml");
    put(t, DocumentFormat.PDF, "pdf", ".pdf");
    put(t, DocumentFormat.OFFICE, "docx", ".docx");
    put(t, DocumentFormat.OFFICE, "pptx", ".pptx");
    put(t, DocumentFormat.OFFICE, "xlsx", ".xlsx");
    put(t, DocumentFormat.EPUB, "epub", ".epub");
    put(t, DocumentFormat.CODE, "python", ".py", ".pyi");
    put(t, DocumentFormat.CODE, "javascript", ".js", ".mjs", ".cjs", ".jsx");
    put(t, DocumentFormat.CODE, "typescript", ".ts", ".mts", ".cts", ".tsx");
    put(t, DocumentFormat.CODE, "java", ".java");
    put(t, DocumentFormat.CODE, "kotlin", ".kt", ".kts");
    put(t, DocumentFormat.CODE, "scala", ".scala", ".sc");
    put(t, DocumentFormat.CODE, "groovy", ".groovy", ".gradle");
    put(t, DocumentFormat.CODE, "c", ".c", ".h");
    put(t, DocumentFormat.CODE, "cpp", ".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx");
    put(t, DocumentFormat.CODE, "csharp", ".cs");
    put(t, DocumentFormat.CODE, "go", ".go");
    put(t, DocumentFormat.CODE, "rust", ".rs");
    put(t, DocumentFormat.CODE, "ruby", ".rb");
    put(t, DocumentFormat.CODE, "php", ".php");
    put(t, DocumentFormat.CODE, "swift", ".swift");
    put(t, DocumentFormat.CODE, "r", ".r");
    put(t, DocumentFormat.CODE, "julia", ".jl");
    put(t, DocumentFormat.CODE, "sql", ".sql");
    put(t, DocumentFormat.CODE, "shell", ".sh", ".bash", ".zsh", ".fish");
    put(t, DocumentFormat.CODE, "powershell", ".ps1");
    put(t, DocumentFormat.CODE, "batch", ".bat", ".cmd");
    put(t, DocumentFormat.CODE, "css", ".css", ".scss", ".less");
    put(t, DocumentFormat.CODE, "vue", ".vue");
    put(t, DocumentFormat.CODE, "svelte", ".svelte");
    put(t, DocumentFormat.CODE, "lua", ".lua");
    put(t, DocumentFormat.CODE, "dart", ".dart");
    put(t, DocumentFormat.CONFIG, "json", ".json");
    put(t, DocumentFormat.CONFIG, "yaml", ".yaml", ".yml");
    put(t, DocumentFormat.CONFIG, "xml", ".xml");
    put(t, DocumentFormat.CONFIG, "toml", ".toml");
    put(t, DocumentFormat.CONFIG, "ini", ".ini", ".cfg", ".conf");
    put(t, DocumentFormat.CONFIG, "properties", ".properties");
    return Map.copyOf(t);
  }

  private static void put(Map<String, FileType> t, DocumentFormat format, String language, String... extensions) {
    FileType type = new FileType(format, language);
    for (String ext : extensions) {
      t.put(ext, type);
    }
  }
}
