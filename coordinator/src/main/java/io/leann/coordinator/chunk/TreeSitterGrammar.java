package io.leann.coordinator.chunk;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.treesitter.TSLanguage;
import org.treesitter.TreeSitterCSharp;
import org.treesitter.TreeSitterJavascript;
import org.treesitter.TreeSitterPython;
import org.treesitter.TreeSitterTypescript;

/**
 * The tree-sitter grammars used for AST chunking, the languages LEANN's astchunk handles besides
 * Java, with what the chunker needs to know of each: the comment syntax for context lines and the
 * node types that declare something worth naming in them (and the word to name it by).
 *
 * <p>A grammar's native library is loaded on first use; on a platform the bundled libraries do not
 * cover (say musl libc) {@link #language()} reports why, and the caller falls back to line windows.
 * Thread-safe: a loaded {@code TSLanguage} is immutable and shared by all parsers.
 */
enum TreeSitterGrammar {

  PYTHON("python", "#", TreeSitterPython::new, Map.of(
      "class_definition", "class",
      "function_definition", "def")),

  JAVASCRIPT("javascript", "//", TreeSitterJavascript::new, Scripts.DECLARATIONS),

  TYPESCRIPT("typescript", "//", TreeSitterTypescript::new, Scripts.TYPESCRIPT_DECLARATIONS),

  CSHARP("csharp", "//", TreeSitterCSharp::new, Map.of(
      "namespace_declaration", "namespace",
      "file_scoped_namespace_declaration", "namespace",
      "class_declaration", "class",
      "struct_declaration", "struct",
      "interface_declaration", "interface",
      "enum_declaration", "enum",
      "record_declaration", "record",
      "method_declaration", "method",
      "constructor_declaration", "constructor",
      "property_declaration", "property"));

  /** Declarations shared by the JavaScript and TypeScript grammars. */
  private static final class Scripts {
    static final Map<String, String> DECLARATIONS = Map.of(
        "class_declaration", "class",
        "class", "class",
        "function_declaration", "function",
        "generator_function_declaration", "function",
        "function_expression", "function",
        "method_definition", "method");

    static final Map<String, String> TYPESCRIPT_DECLARATIONS;

    static {
      Map<String, String> ts = new HashMap<>(DECLARATIONS);
      ts.putAll(Map.of(
          "abstract_class_declaration", "class",
          "interface_declaration", "interface",
          "enum_declaration", "enum",
          "internal_module", "namespace",
          "module", "namespace"));
      TYPESCRIPT_DECLARATIONS = Map.copyOf(ts);
    }
  }

  /** The language as {@link io.leann.coordinator.ingest.FileType} names it. */
  final String language;
  /** Starts a line comment, for context lines. */
  final String commentPrefix;
  /** Node type to the word a context line names it by ({@code class}, {@code def}, ...). */
  final Map<String, String> declarations;
  private final Supplier<TSLanguage> loader;
  private TSLanguage loaded;
  private String unavailable;

  TreeSitterGrammar(String language, String commentPrefix, Supplier<TSLanguage> loader, Map<String, String> declarations) {
    this.language = language;
    this.commentPrefix = commentPrefix;
    this.loader = loader;
    this.declarations = declarations;
  }

  /** The grammar for a {@code FileType} language, or {@code null} if there is none. */
  static TreeSitterGrammar forLanguage(String language) {
    for (TreeSitterGrammar g : values()) {
      if (g.language.equals(language)) {
        return g;
      }
    }
    return null;
  }

  /** The loaded grammar; throws if its native library cannot be loaded here, every time, with the first reason. */
  synchronized TSLanguage language() throws UnavailableException {
    if (loaded == null && unavailable == null) {
      try {
        loaded = loader.get();
      } catch (LinkageError | RuntimeException e) {
        unavailable = "tree-sitter grammar could not be loaded (" + e + ")";
      }
    }
    if (loaded == null) {
      throw new UnavailableException(unavailable);
    }
    return loaded;
  }

  /** The grammar's native library does not load on this platform. */
  static final class UnavailableException extends Exception {
    UnavailableException(String message) {
      super(message);
    }
  }
}
