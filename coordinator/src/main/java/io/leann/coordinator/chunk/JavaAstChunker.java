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
import java.util.List;
import java.util.regex.Pattern;

/**
 * AST-aware chunking of Java source via JavaParser, packed by {@link AstPacker}: the file is laid
 * out as a header (package, imports, file comment) and its top-level types; a type too large for
 * one chunk is split into its members (fields, methods, constructors, initializers, enum
 * constants, nested types, which recurse). Members are not split further: a method too large is
 * cut into line windows. A node starts at its Javadoc, so Javadoc stays with its method. Context
 * lines name the enclosing type by its fully qualified name, e.g. {@code // class io.leann.demo.Library}.
 * Full package and import lists are not repeated: they cost budget and rarely help retrieval.
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

  private final AstPacker packer;

  JavaAstChunker(int size, int overlap) {
    this.packer = new AstPacker(size, overlap);
  }

  /** A JavaParser node; only type declarations are split (into their members) and labelled. */
  private record JavaNode(Node node) implements SyntaxNode {

    @Override
    public int firstLine() {
      int line = node.getRange().orElseThrow().begin.line;
      return node.getComment().flatMap(Comment::getRange).map(r -> Math.min(r.begin.line, line)).orElse(line);
    }

    @Override
    public int lastLine() {
      return node.getRange().orElseThrow().end.line;
    }

    @Override
    public List<JavaNode> parts() {
      if (!(node instanceof TypeDeclaration<?> type)) {
        return List.of();
      }
      List<Node> members = new ArrayList<>(type.getMembers());
      if (type instanceof EnumDeclaration e) {
        members.addAll(e.getEntries());
      }
      return members.stream().map(JavaNode::new).toList();
    }

    @Override
    public String label() {
      return node instanceof TypeDeclaration<?> type
          ? kind(type) + " " + type.getFullyQualifiedName().orElse(type.getNameAsString())
          : "";
    }
  }

  List<Piece> chunk(String text, LineIndex lines) throws AstParseException {
    CompilationUnit unit = parse(text);
    List<JavaNode> topLevel = new ArrayList<>();
    unit.getTypes().forEach(t -> topLevel.add(new JavaNode(t)));
    unit.getModule().ifPresent(m -> topLevel.add(new JavaNode(m)));
    return packer.chunk(text, lines, topLevel, "//");
  }

  private static CompilationUnit parse(String text) throws AstParseException {
    ParseResult<CompilationUnit> result = PARSER.get().parse(parseable(text));
    if (!result.isSuccessful() || result.getResult().isEmpty()) {
      String problem = result.getProblems().stream().findFirst().map(Problem::getVerboseMessage).orElse("unknown problem");
      if (problem.length() > MAX_PROBLEM_CHARS) {
        problem = problem.substring(0, MAX_PROBLEM_CHARS) + "...";
      }
      throw new AstParseException(problem.replace('\n', ' '));
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

  private static String kind(TypeDeclaration<?> type) {
    return switch (type) {
      case ClassOrInterfaceDeclaration c -> c.isInterface() ? "interface" : "class";
      case EnumDeclaration _ -> "enum";
      case RecordDeclaration _ -> "record";
      case AnnotationDeclaration _ -> "@interface";
      default -> "type";
    };
  }
}
