package io.leann.coordinator.chunk;

import java.util.List;

/**
 * A node of a parsed source file as {@link AstPacker} sees it: the lines it spans, the nodes it may
 * be split into when too large for one chunk, and the label a chunk starting inside it is given.
 * Implementations adapt one parser's tree (JavaParser, tree-sitter) and are used by one thread.
 */
interface SyntaxNode {

  /** First 1-based line, comments attached to the node (Javadoc) included. */
  int firstLine();

  /** Last 1-based line, inclusive. */
  int lastLine();

  /** The nodes this one may be split into, in any order; empty when it is kept whole (then cut into line windows if too large). */
  List<? extends SyntaxNode> parts();

  /** What a chunk starting inside this node is told it belongs to, e.g. {@code class io.leann.demo.Library}; {@code ""} for none. */
  String label();
}
