package io.leann.coordinator.chunk;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.Problem;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.AnnotationDeclaration;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.EnumDeclaration;
import com.github.javaparser.ast.body.RecordDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.comments.Comment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * AST-aware chunking of Java source via JavaParser, in the manner of cAST/astchunk: a syntax node
 * small enough becomes (part of) one chunk, a larger one is split into its children, and adjacent
 * small siblings are packed together.
 *
 * <ul>
 *   <li>The file is laid out as a header (package, imports, file comment) and its top-level types;
 *       a type too large for one chunk is laid out as its own header (Javadoc, annotations,
 *       signature) and its members (fields, methods, constructors, initializers, enum constants,
 *       nested types, which recurse).
 *   <li>Every line belongs to exactly one item: the lines before a member (its Javadoc, comments,
 *       annotations, blank lines) go with that member, and the lines after the last member (the
 *       closing brace) with the last member. So Javadoc stays with its method and no chunk starts
 *       with a lone closing brace.
 *   <li>Items are packed in order into chunks of at most {@code size} non-whitespace characters
 *       with up to {@code overlap} re-taken from the previous chunk ({@link WindowPacker}); a
 *       member still too large on its own (a long method) is cut into line windows with the same
 *       size and overlap, never merged with its neighbours.
 *   <li>A chunk that starts inside a type, after the line its declaration begins on, gets a
 *       context line such as {@code // class io.leann.demo.Library} in front, so a method chunk
 *       still says which class it belongs to; the rest of the chunk is exact source lines. Full
 *       package and import lists are not repeated: they cost budget and rarely help retrieval.
 * </ul>
 *
 * <p>Immutable and thread-safe (each thread parses with its own JavaParser).
 */
final class JavaAstChunker {

  /**
   * One parser per thread: JavaParser is not thread-safe, and building one per file costs about as
   * much as parsing it. Language level RAW skips the per-version validators: chunking needs the
   * structure, not a verdict on which Java version the file targets (so {@code _} as an unnamed
   * variable, Java 22, parses too).
   */
  private static final ThreadLocal<JavaParser> PARSER = ThreadLocal.withInitial(
      () -> new JavaParser(new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.RAW)));
  private static final Pattern MODULE_IMPORT = Pattern.compile("(?m)^(\\s*import\\s+)module(?=\\s)");
  private static final int MAX_PROBLEM_CHARS = 200;

  private final int size;
  private final int overlap;
  private final LineWindows lineWindows;

  JavaAstChunker(int size, int overlap) {
    this.size = size;
    this.overlap = overlap;
    this.lineWindows = new LineWindows(NonWhitespaceCounter.INSTANCE, size, overlap);
  }

  /** The parser rejected the source; the message names the first problem and its position. */
  static final class ParseException extends Exception {
    ParseException(String message) {
      super(message);
    }
  }

  /** Lines {@code [first, last]} (1-based, inclusive); {@code type} is set when they hold exactly one type declaration. */
  private record Item(int first, int last, TypeDeclaration<?> type) {
  }

  /** An item that is not split further; {@code oversized} ones are cut into line windows on their own. */
  private record Segment(int first, int last, boolean oversized) {
  }

  List<Piece> chunk(String text, LineIndex lines) throws ParseException {
    CompilationUnit unit = parse(text);
    long[] costUpTo = lineCosts(text, lines);
    List<Node> topLevel = new ArrayList<>(unit.getTypes());
    unit.getModule().ifPresent(topLevel::add);

    List<Segment> segments = new ArrayList<>();
    for (Item item : layout(topLevel, 1, lines.lineCount())) {
      flatten(item, costUpTo, segments);
    }

    List<Piece> pieces = new ArrayList<>();
    List<Span> run = new ArrayList<>();
    for (Segment segment : segments) {
      if (segment.oversized()) {
        packRun(text, lines, run, pieces);
        pieces.addAll(lineWindows.chunk(text, lines, segment.first(), segment.last()));
      } else {
        run.add(new Span(lines.lineStart(segment.first()), lines.lineEnd(segment.last()),
            (int) (costUpTo[segment.last()] - costUpTo[segment.first() - 1])));
      }
    }
    packRun(text, lines, run, pieces);
    return withContext(pieces, lines, allTypes(unit));
  }

  private static CompilationUnit parse(String text) throws ParseException {
    ParseResult<CompilationUnit> result = PARSER.get().parse(parseable(text));
    if (!result.isSuccessful() || result.getResult().isEmpty()) {
      String problem = result.getProblems().stream().findFirst().map(Problem::getVerboseMessage).orElse("unknown problem");
      if (problem.length() > MAX_PROBLEM_CHARS) {
        problem = problem.substring(0, MAX_PROBLEM_CHARS) + "...";
      }
      throw new ParseException(problem.replace('\n', ' '));
    }
    return result.getResult().get();
  }

  /**
   * The source with Java 25's {@code import module m;}, which JavaParser 3.27's grammar lacks,
   * rewritten to {@code import m;} padded to the same length. Only line ranges are read from the
   * tree and every line keeps its length, so the chunks, cut from the original text, are unaffected.
   */
  private static String parseable(String text) {
    return MODULE_IMPORT.matcher(text).replaceAll("$1      ");
  }

  /** Prefix sums of non-whitespace characters per line: {@code [l]} = lines 1..l. */
  private static long[] lineCosts(String text, LineIndex lines) {
    long[] sums = new long[lines.lineCount() + 1];
    for (int l = 1; l <= lines.lineCount(); l++) {
      sums[l] = sums[l - 1] + NonWhitespaceCounter.INSTANCE.count(text.substring(lines.lineStart(l), lines.lineEnd(l)));
    }
    return sums;
  }

  /**
   * Items covering lines {@code [first, last]} exactly: a leading item for the lines before the
   * first node (if any), then one per node, each taking the gap before it; the last takes the
   * trailing lines. Nodes sharing a line are merged into one item without a type.
   */
  private static List<Item> layout(List<? extends Node> nodes, int first, int last) {
    List<? extends Node> sorted = nodes.stream().sorted(Comparator.comparingInt(JavaAstChunker::startLine)).toList();
    List<Item> items = new ArrayList<>();
    for (Node node : sorted) {
      int start = startLine(node);
      int end = node.getRange().orElseThrow().end.line;
      TypeDeclaration<?> type = node instanceof TypeDeclaration<?> t ? t : null;
      if (items.isEmpty()) {
        if (start > first) {
          items.add(new Item(first, start - 1, null));
          items.add(new Item(start, end, type));
        } else {
          items.add(new Item(first, end, null));
        }
      } else {
        Item previous = items.getLast();
        if (start <= previous.last()) {
          items.set(items.size() - 1, new Item(previous.first(), Math.max(previous.last(), end), null));
        } else {
          items.add(new Item(previous.last() + 1, end, type));
        }
      }
    }
    if (items.isEmpty()) {
      items.add(new Item(first, last, null));
    } else if (items.getLast().last() < last) {
      Item tail = items.removeLast();
      items.add(new Item(tail.first(), last, tail.type()));
    }
    return items;
  }

  /** Appends {@code item}, or its members when it is a type too large for one chunk, to {@code out}. */
  private void flatten(Item item, long[] costUpTo, List<Segment> out) {
    long cost = costUpTo[item.last()] - costUpTo[item.first() - 1];
    List<Node> members = item.type() == null ? List.of() : members(item.type());
    if (cost <= size || members.isEmpty()) {
      out.add(new Segment(item.first(), item.last(), cost > size));
      return;
    }
    for (Item child : layout(members, item.first(), item.last())) {
      flatten(child, costUpTo, out);
    }
  }

  private static List<Node> members(TypeDeclaration<?> type) {
    List<Node> members = new ArrayList<>(type.getMembers());
    if (type instanceof EnumDeclaration e) {
      members.addAll(e.getEntries());
    }
    return members;
  }

  /** Packs the pending small items into chunks, trimmed to non-blank lines, and clears the run. */
  private void packRun(String text, LineIndex lines, List<Span> run, List<Piece> pieces) {
    for (WindowPacker.Window w : WindowPacker.pack(run, size, overlap)) {
      int start = run.get(w.from()).start();
      int end = run.get(w.to() - 1).end();
      int contentStart = TextSpans.trimStart(text, start, end);
      int contentEnd = TextSpans.trimEnd(text, start, end);
      if (contentStart < contentEnd) {
        pieces.add(Piece.of(lines.lineStart(lines.lineOf(contentStart)), lines.lineEnd(lines.lineOf(contentEnd - 1))));
      }
    }
    run.clear();
  }

  /** The pieces, each with the innermost type it starts inside (past that type's first line) as context. */
  private static List<Piece> withContext(List<Piece> pieces, LineIndex lines, List<TypeDeclaration<?>> types) {
    List<Piece> out = new ArrayList<>(pieces.size());
    for (Piece piece : pieces) {
      int line = lines.lineOf(piece.start());
      TypeDeclaration<?> enclosing = null;
      for (TypeDeclaration<?> t : types) {
        int begin = t.getRange().orElseThrow().begin.line;
        int end = t.getRange().orElseThrow().end.line;
        if (begin < line && line <= end
            && (enclosing == null || begin > enclosing.getRange().orElseThrow().begin.line)) {
          enclosing = t;
        }
      }
      out.add(enclosing == null ? piece : new Piece(piece.start(), piece.end(), "// " + kind(enclosing) + " "
          + enclosing.getFullyQualifiedName().orElse(enclosing.getNameAsString())));
    }
    return out;
  }

  private static List<TypeDeclaration<?>> allTypes(CompilationUnit unit) {
    List<TypeDeclaration<?>> types = new ArrayList<>();
    unit.walk(node -> {
      if (node instanceof TypeDeclaration<?> t) {
        types.add(t);
      }
    });
    return types;
  }

  private static String kind(TypeDeclaration<?> type) {
    return switch (type) {
      case ClassOrInterfaceDeclaration c -> c.isInterface() ? "interface" : "class";
      case EnumDeclaration _ -> "enum";
      case RecordDeclaration _ -> "record";
      case AnnotationDeclaration _ -> "@interface";
      default -> "type";
    };
  }

  /** First line of a node, its attached comment (Javadoc) included. */
  private static int startLine(Node node) {
    int line = node.getRange().orElseThrow().begin.line;
    return node.getComment().flatMap(Comment::getRange).map(r -> Math.min(r.begin.line, line)).orElse(line);
  }
}
