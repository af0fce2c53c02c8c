package io.leann.coordinator.chunk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.treesitter.TSNode;
import org.treesitter.TSParser;
import org.treesitter.TSPoint;
import org.treesitter.TSTree;
import org.treesitter.TSTreeCursor;

/**
 * AST-aware chunking of Python, JavaScript, TypeScript and C# via tree-sitter, packed by
 * {@link AstPacker} as astchunk (cAST) does: any node too large for one chunk is split into its
 * named children, so a module opens into its classes and functions, a class into its methods, a
 * long function into its statements, and a wrapper (an IIFE, a namespace) into what it wraps.
 * Comment nodes are not parts: their lines fall to the node after them, so a comment stays with
 * the code it describes, as do Python decorators (one {@code decorated_definition} node).
 *
 * <p>Context lines name the innermost enclosing declaration with the names of the declarations
 * around it, e.g. {@code # def JSONDecoder.raw_decode} or {@code // class Acme.Billing.Invoice}.
 * An arrow function or class assigned to a variable is named by the variable.
 *
 * <p>tree-sitter recovers from syntax errors instead of failing; a tree with an error is rejected
 * here all the same ({@link AstParseException}, naming the first error's line), so that the caller
 * falls back to line windows and says so rather than cutting along a misread structure. That
 * includes files the grammar does not cover, such as JSX in {@code .tsx} files.
 *
 * <p>Immutable and thread-safe: each thread parses with its own {@code TSParser} per grammar.
 */
final class TreeSitterChunker {

  private static final ThreadLocal<Map<TreeSitterGrammar, TSParser>> PARSERS =
      ThreadLocal.withInitial(() -> new EnumMap<>(TreeSitterGrammar.class));

  private final AstPacker packer;

  TreeSitterChunker(int size, int overlap) {
    this.packer = new AstPacker(size, overlap);
  }

  List<Piece> chunk(TreeSitterGrammar grammar, String text, LineIndex lines)
      throws AstParseException, TreeSitterGrammar.UnavailableException {
    TSParser parser = PARSERS.get().get(grammar);
    if (parser == null) {
      parser = new TSParser();
      parser.setLanguage(grammar.language());
      PARSERS.get().put(grammar, parser);
    }
    TSTree tree = parser.parseString(null, text);
    TSNode root = tree.getRootNode();
    if (root.hasError()) {
      throw new AstParseException("syntax error at line " + firstErrorLine(root));
    }
    Source source = new Source(grammar, text.getBytes(StandardCharsets.UTF_8));
    return packer.chunk(text, lines, new TsNode(root, source).parts(), grammar.commentPrefix);
  }

  /** 1-based line of the first error or missing node, searched depth-first through subtrees that have one. */
  private static int firstErrorLine(TSNode root) {
    TSNode node = root;
    while (!node.isError() && !node.isMissing()) {
      TSNode next = null;
      for (int i = 0; i < node.getChildCount() && next == null; i++) {
        TSNode child = node.getChild(i);
        if (child.hasError() || child.isMissing()) {
          next = child;
        }
      }
      if (next == null) {
        break;
      }
      node = next;
    }
    return node.getStartPoint().getRow() + 1;
  }

  /** The parsed file: its grammar and its UTF-8 bytes, which tree-sitter's offsets index. */
  private record Source(TreeSitterGrammar grammar, byte[] utf8) {

    String text(TSNode node) {
      return new String(utf8, node.getStartByte(), node.getEndByte() - node.getStartByte(), StandardCharsets.UTF_8);
    }
  }

  /** A named tree-sitter node, with its lines read once (each read is a native call). */
  private record TsNode(TSNode node, int firstLine, int lastLine, Source source) implements SyntaxNode {

    TsNode(TSNode node, Source source) {
      this(node, node.getStartPoint().getRow() + 1, lastLine(node), source);
    }

    /** A node ending at column 0 (after a trailing newline it took in) ends on the line before. */
    private static int lastLine(TSNode node) {
      TSPoint end = node.getEndPoint();
      return end.getColumn() == 0 && end.getRow() > node.getStartPoint().getRow() ? end.getRow() : end.getRow() + 1;
    }

    /** The named children but comments, walked with a cursor: indexed child access is linear per call. */
    @Override
    public List<TsNode> parts() {
      List<TsNode> parts = new ArrayList<>();
      TSTreeCursor cursor = new TSTreeCursor(node);
      for (boolean more = cursor.gotoFirstChild(); more; more = cursor.gotoNextSibling()) {
        TSNode child = cursor.currentNode();
        if (child.isNamed() && !child.getType().equals("comment")) {
          parts.add(new TsNode(child, source));
        }
      }
      return parts;
    }

    @Override
    public String label() {
      String kind = kind(node);
      TSNode self = node.getType().equals("decorated_definition") ? node.getChildByFieldName("definition") : node;
      if (kind == null || name(self) == null) {
        return "";
      }
      Deque<String> names = new ArrayDeque<>();
      for (TSNode n = self; n != null && !n.isNull(); n = n.getParent()) {
        String name = n.getType().equals("decorated_definition") || kind(n) == null ? null : name(n);
        if (name != null) {
          names.addFirst(name);
        }
      }
      return kind + " " + String.join(".", names);
    }

    /** The word a declaration is named by, or {@code null} if the node declares nothing worth naming. */
    private String kind(TSNode n) {
      String type = n.getType();
      return switch (type) {
        case "decorated_definition" -> kind(n.getChildByFieldName("definition"));
        case "variable_declarator" -> {
          TSNode value = n.getChildByFieldName("value");
          yield value.isNull() ? null : switch (value.getType()) {
            case "arrow_function", "function_expression", "function", "generator_function" -> "function";
            case "class" -> "class";
            default -> null;
          };
        }
        default -> source.grammar().declarations.get(type);
      };
    }

    /** The declared name, {@code null} for anonymous ones. */
    private String name(TSNode n) {
      TSNode name = n.getChildByFieldName("name");
      return name.isNull() ? null : source.text(name);
    }
  }
}
