package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.leann.coordinator.ingest.Document;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * AST chunking of Python, JavaScript, TypeScript and C# via tree-sitter, on real files: the Python
 * standard library under /usr/lib/python3.*, Debian's libjs-* JavaScript under
 * /usr/share/javascript (each used where installed), and hand-written TypeScript and C# corpus
 * files full of syntax a naive splitter gets wrong.
 */
class TreeSitterChunkingTest {

  private static ChunkResult chunk(Document doc, int size, int overlap) {
    return new Chunker(ChunkingOptions.defaults().withAst(true, size, overlap)).chunk(doc);
  }

  private static Document real(Path path) {
    try {
      String text = Files.readString(path, StandardCharsets.UTF_8);
      return Docs.of(path.getFileName().toString(), text);
    } catch (IOException e) {
      throw new AssertionError(path + ": " + e, e);
    }
  }

  /** The Python standard library directory, or {@code null} if none is installed. */
  static Path pythonLib() {
    try (Stream<Path> dirs = Files.list(Path.of("/usr/lib"))) {
      return dirs.filter(d -> d.getFileName().toString().matches("python3\\.\\d+"))
          .filter(d -> Files.isRegularFile(d.resolve("json/decoder.py")))
          .sorted().findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** Lines {@code first..last} (1-based, inclusive) of a file split once into {@code lines}. */
  private static String join(String[] lines, int first, int last) {
    return String.join("\n", java.util.Arrays.copyOfRange(lines, first - 1, last));
  }

  /**
   * The chunk's source lines, its context line (if any) checked and dropped: a context line is
   * the one line before {@code start_line..end_line} that is not source, a comment naming a scope.
   */
  private static String body(String[] source, Chunk chunk, String commentPrefix) {
    String lines = join(source, chunk.startLine(), chunk.endLine());
    if (chunk.text().equals(lines)) {
      return lines;
    }
    String context = chunk.text().substring(0, chunk.text().indexOf('\n'));
    assertTrue(context.matches("\\Q" + commentPrefix + "\\E (class|def|function|method|interface|enum|namespace|struct|record|constructor|property) [\\w$.]+"),
        () -> "context line: " + context);
    assertEquals(lines, chunk.text().substring(context.length() + 1), "chunk text is exactly lines start_line..end_line");
    return lines;
  }

  /**
   * Well-formed chunks of a whole file: exact source lines, within the size, in order, and with
   * overlap 0 every non-blank line in exactly one chunk.
   */
  private static List<Chunk> assertWellFormed(Document doc, String language, int size, int overlap) {
    ChunkResult result = chunk(doc, size, overlap);
    assertEquals(List.of(), result.warnings(), doc.fileName());
    List<Chunk> chunks = result.chunks();
    String prefix = language.equals("python") ? "#" : "//";
    String[] lines = doc.text().split("\n", -1);
    int[] covered = new int[lines.length + 2];
    for (Chunk c : chunks) {
      assertEquals(language, c.metadata().get(Chunk.LANGUAGE));
      String body = body(lines, c, prefix);
      assertTrue(NonWhitespaceCounter.INSTANCE.count(body) <= size,
          () -> doc.fileName() + ": chunk over " + size + " at lines " + c.startLine() + "-" + c.endLine());
      assertFalse(body.isBlank() || lines[c.startLine() - 1].isBlank() || lines[c.endLine() - 1].isBlank(),
          "chunks start and end on non-blank lines");
      for (int l = c.startLine(); l <= c.endLine(); l++) {
        covered[l]++;
      }
    }
    for (int l = 1; l <= lines.length; l++) {
      if (!lines[l - 1].isBlank()) {
        int line = l;
        if (overlap == 0) {
          assertEquals(1, covered[l], () -> doc.fileName() + ": line " + line + " in exactly one chunk: " + lines[line - 1]);
        } else {
          assertTrue(covered[l] >= 1, () -> doc.fileName() + ": line " + line + " lost: " + lines[line - 1]);
        }
      }
    }
    for (int i = 1; i < chunks.size(); i++) {
      assertTrue(chunks.get(i).startLine() > chunks.get(i - 1).startLine(), "chunks in order");
    }
    return chunks;
  }

  /** Python's own parser as the oracle: {@code [kind, first, last]} for every statement (S) and def/class (D), decorators included. */
  private static List<int[]> pythonStatements(Path file) throws IOException, InterruptedException {
    String script = """
        import ast, sys
        tree = ast.parse(open(sys.argv[1], encoding="utf-8").read())
        for n in ast.walk(tree):
            if isinstance(n, ast.stmt):
                first = min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])])
                kind = 1 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else 0
                print(kind, first, n.end_lineno)
        """;
    Process p = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    List<int[]> statements = new ArrayList<>();
    for (String line : out.strip().split("\n")) {
      String[] f = line.split(" ");
      statements.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2])});
    }
    return statements;
  }

  private static long cost(String[] lines, int first, int last) {
    return NonWhitespaceCounter.INSTANCE.count(join(lines, first, last));
  }

  /**
   * Checks chunks against Python's own parse: a def or class that fits the size (with the comments
   * and blank lines right above it) is never cut, and every chunk starts where a statement, a
   * decorator or a comment starts, unless it starts inside a single statement too large for one
   * chunk (then it is a piece of that statement).
   */
  private static void assertPythonBoundaries(Path file, List<int[]> statements, Document doc, List<Chunk> chunks, int size) {
    String[] lines = doc.text().split("\n", -1);
    int defs = 0;
    for (int[] s : statements) {
      if (s[0] != 1) {
        continue;
      }
      int first = s[1];
      while (first > 1 && (lines[first - 2].isBlank() || lines[first - 2].strip().startsWith("#"))) {
        first--;
      }
      if (cost(lines, first, s[2]) <= size) {
        defs++;
        int[] def = s;
        assertTrue(keptWhole(chunks, def[1], def[2]), () -> file + ": def/class at lines " + def[1] + "-" + def[2] + " was cut");
      }
    }
    assertTrue(defs > 0, "the file has defs that fit one chunk");
    for (Chunk c : chunks) {
      int l = c.startLine();
      boolean atStatement = statements.stream().anyMatch(s -> s[1] == l);
      boolean atComment = lines[l - 1].strip().startsWith("#");
      int[] innermost = statements.stream().filter(s -> s[1] <= l && l <= s[2])
          .min((a, b) -> Integer.compare(a[2] - a[1], b[2] - b[1])).orElse(null);
      assertTrue(atStatement || atComment || (innermost != null && cost(lines, innermost[1], innermost[2]) > size),
          () -> file + ": chunk starts mid-statement at line " + l + ": " + lines[l - 1]);
    }
  }

  @Test
  void pythonStandardLibraryFilesSplitAtDefAndClassBoundaries() throws Exception {
    Path lib = pythonLib();
    assumeTrue(lib != null, "no Python standard library under /usr/lib");
    // json/decoder.py: classes and module functions; textwrap.py: a large class with many methods;
    // functools.py: decorators, nested functions and classes inside functions.
    for (String name : List.of("json/decoder.py", "textwrap.py", "functools.py")) {
      Path file = lib.resolve(name);
      Document doc = real(file);
      List<int[]> statements = pythonStatements(file);
      for (int size : name.equals("functools.py") ? List.of(768) : List.of(768, 300)) {
        List<Chunk> chunks = assertWellFormed(doc, "python", size, 0);
        assertPythonBoundaries(file, statements, doc, chunks, size);
      }
    }
  }

  @Test
  void pythonMethodChunksNameTheirClass() {
    Path lib = pythonLib();
    assumeTrue(lib != null, "no Python standard library under /usr/lib");
    Document doc = real(lib.resolve("textwrap.py"));
    List<Chunk> chunks = assertWellFormed(doc, "python", 768, 0);
    Chunk wrap = chunks.stream().filter(c -> c.text().contains("    def wrap(self, text):")).findFirst().orElseThrow();
    assertTrue(wrap.text().startsWith("# class TextWrapper\n"), wrap.text());
    assertEquals(1, chunks.getFirst().startLine());
  }

  @Test
  void pythonStandardLibraryModulesChunkWithoutLoss() throws IOException {
    Path lib = pythonLib();
    assumeTrue(lib != null, "no Python standard library under /usr/lib");
    List<Path> files;
    try (Stream<Path> s = Files.list(lib)) {
      // The modules up to 20 KB: tree-sitter's bundled parsers do about 0.5 MB/s, and these are most of them.
      files = s.filter(f -> f.toString().endsWith(".py") && f.toFile().length() <= 20_000).sorted().toList();
    }
    assertTrue(files.size() > 50, "stdlib files: " + files.size());
    for (Path f : files) {
      assertWellFormed(real(f), "python", 768, 0);
    }
  }

  @Test
  void debianJavaScriptLibrariesOpenUpTheirModuleWrappers() {
    List<Path> files = Stream.of("underscore/underscore.js", "jquery/jquery.js", "sphinxdoc/1.0/searchtools.js")
        .map(p -> Path.of("/usr/share/javascript", p)).filter(Files::isRegularFile).toList();
    assumeTrue(!files.isEmpty(), "no libjs-* package installed under /usr/share/javascript");
    for (Path f : files) {
      Document doc = real(f);
      String[] lines = doc.text().split("\n", -1);
      List<Chunk> chunks = assertWellFormed(doc, "javascript", 768, 0);
      assertWellFormed(doc, "javascript", 768, 96);
      assertTrue(chunks.size() > 5, f.toString());
      long withContext = chunks.stream().filter(c -> c.text().startsWith("// ")
          && c.text().indexOf('\n') >= 0 && !c.text().substring(0, c.text().indexOf('\n')).equals(
              lines[c.startLine() - 1])).count();
      if (f.endsWith("underscore.js")) {
        int start = lineOf(doc, "function isUndefined(obj) {");
        assertTrue(keptWhole(chunks, start, start + 2), "a small function inside the UMD wrapper is one unit");
      }
      if (f.endsWith("searchtools.js")) {
        assertTrue(withContext > 0, "chunks inside `const Search = {...}` methods say so");
      }
    }
  }

  @Test
  void typeScriptSplitsAtClassesMethodsAndArrowFunctions() {
    Document doc = Docs.corpus("ledger.ts");
    for (int size : List.of(768, 300, 120)) {
      assertWellFormed(doc, "typescript", size, 0);
    }
    List<Chunk> chunks = assertWellFormed(doc, "typescript", 300, 0);
    int record = lineOf(doc, "record(tx: Transaction): void {");
    Chunk holder = chunks.stream().filter(c -> c.startLine() <= record && record <= c.endLine()).findFirst().orElseThrow();
    assertTrue(holder.text().startsWith("// class Ledger\n"), holder.text());
    assertTrue(holder.text().contains("/** Records a transaction; its postings must sum to zero. */"), "doc comment travels with its method");
    int format = lineOf(doc, "export const formatCents = (cents: bigint, currency: Currency = \"EUR\"): string => {");
    assertTrue(keptWhole(chunks, format, format + 6), "the arrow function with braces in template literals is one unit");
    int split = lineOf(doc, "export const splitCsvLine = (line: string): string[] => {");
    Chunk inside = chunks.stream().filter(c -> c.startLine() > split && c.startLine() < split + 20).findFirst().orElseThrow();
    assertTrue(inside.text().startsWith("// function Import.splitCsvLine\n"), inside.text());
  }

  @Test
  void cSharpSplitsAtTypesAndMembersInsideTheNamespace() {
    Document doc = Docs.corpus("Scheduler.cs");
    for (int size : List.of(768, 300, 120)) {
      assertWellFormed(doc, "csharp", size, 0);
    }
    List<Chunk> chunks = assertWellFormed(doc, "csharp", 768, 0);
    int report = lineOf(doc, "public string Report()");
    Chunk holder = chunks.stream().filter(c -> c.startLine() <= report && report <= c.endLine()).findFirst().orElseThrow();
    assertTrue(holder.text().startsWith("// class Acme.Scheduling.Scheduler\n"), holder.text());
    assertTrue(keptWhole(chunks, report, lineOf(doc, "return sb.ToString();") + 1), "raw and interpolated strings do not cut Report()");
    int window = lineOf(doc, "public readonly struct Window");
    assertTrue(keptWhole(chunks, window, window + 15), "the struct fits one chunk and is kept whole");
  }

  @Test
  void brokenSourceFallsBackToLineWindowsWithAWarning() {
    String source = "def ok():\n    return 1\n\ndef broken(:\n    return (\n\nclass Fine:\n    pass\n";
    Document broken = Docs.of("broken.py", source);
    ChunkResult result = chunk(broken, 768, 96);
    assertEquals(1, result.warnings().size());
    ChunkWarning warning = result.warnings().getFirst();
    assertEquals(ChunkWarning.Kind.AST_PARSE_FAILED, warning.kind());
    assertEquals("python", warning.language());
    assertTrue(warning.message().startsWith("/corpus/broken.py: syntax error at line "), warning.message());
    assertEquals(source.strip(), result.chunks().getFirst().text());

    Document tsx = Docs.of("view.tsx", "export const View = () => <div className=\"x\">{label}</div>;\n");
    assertEquals(ChunkWarning.Kind.AST_PARSE_FAILED, chunk(tsx, 768, 96).warnings().getFirst().kind(),
        "JSX is outside the TypeScript grammar: said, not misread");
  }

  @Test
  void withoutFallbackABrokenFileFailsTheBuildNamingIt() {
    Document broken = Docs.of("Broken.cs", "namespace N { class C { void M( { } }\n");
    Chunker strict = new Chunker(ChunkingOptions.defaults().withAstFallback(false));
    AstChunkingException e = assertThrows(AstChunkingException.class, () -> strict.chunk(broken));
    assertTrue(e.getMessage().startsWith("AST chunking failed: /corpus/Broken.cs: syntax error at line 1"), e.getMessage());
    assertEquals(1, strict.chunk(Docs.corpus("ledger.ts")).chunks().size() > 0 ? 1 : 0, "valid files still chunk");
  }

  /** Whether one chunk holds all of {@code lines} of the document: the unit was not cut. */
  private static boolean keptWhole(List<Chunk> chunks, int first, int last) {
    return chunks.stream().anyMatch(c -> c.startLine() <= first && last <= c.endLine());
  }

  /** 1-based line of the first line equal to {@code line} after stripping. */
  private static int lineOf(Document doc, String line) {
    String[] lines = doc.text().split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().equals(line)) {
        return i + 1;
      }
    }
    throw new AssertionError(doc.fileName() + " has no line " + line);
  }
}
