package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Packs a syntax tree into chunks in the manner of cAST/astchunk, whichever parser produced the
 * tree: a node small enough becomes (part of) one chunk, a larger one is split into its
 * {@linkplain SyntaxNode#parts() parts}, and adjacent small siblings are packed together.
 *
 * <ul>
 *   <li>Every line belongs to exactly one item. Among siblings, the lines before the first node
 *       form a header item (a type's signature, a file's imports), each later node takes the lines
 *       between it and its predecessor (its comments, decorators, blank lines), and the last one
 *       takes the lines after it (the closing brace). So comments stay with what they describe
 *       and no chunk starts with a lone closing brace. A node starting on a line its predecessor
 *       already owns keeps its remaining lines and may still be split, so a wrapper such as
 *       {@code }(this, function () {} opens up into the statements inside it.
 *   <li>Items are packed in order into chunks of at most {@code size} non-whitespace characters
 *       with up to {@code overlap} re-taken from the previous chunk ({@link WindowPacker}); an item
 *       too large that cannot be split further is cut into line windows with the same size and
 *       overlap ({@link LineWindows}), never merged with its neighbours. Chunks are trimmed to
 *       non-blank lines.
 *   <li>A chunk starting inside a split node that has a label, past that node's first line, gets
 *       a context line such as {@code // class io.leann.demo.Library} in front, naming the
 *       innermost such node; the rest of the chunk is exact source lines.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class AstPacker {

  private final int size;
  private final int overlap;
  private final LineWindows lineWindows;

  AstPacker(int size, int overlap) {
    this.size = size;
    this.overlap = overlap;
    this.lineWindows = new LineWindows(NonWhitespaceCounter.INSTANCE, size, overlap);
  }

  /** Lines {@code [first, last]} (1-based, inclusive); {@code node} is set when they hold one node that may be split. */
  private record Item(int first, int last, SyntaxNode node) {
  }

  /** An item that is not split further; {@code oversized} ones are cut into line windows on their own. */
  private record Segment(int first, int last, boolean oversized) {
  }

  /** Lines {@code [first, last]} of a split node, with its label, for context lines. */
  private record Scope(int first, int last, String label) {
  }

  /**
   * The chunks of {@code text}, whose top-level syntax nodes are {@code topLevel}; context lines
   * start with {@code commentPrefix} ({@code //}, {@code #}).
   */
  List<Piece> chunk(String text, LineIndex lines, List<? extends SyntaxNode> topLevel, String commentPrefix) {
    long[] costUpTo = lineCosts(text, lines);
    List<Segment> segments = new ArrayList<>();
    List<Scope> scopes = new ArrayList<>();
    for (Item item : layout(topLevel, 1, lines.lineCount())) {
      flatten(item, costUpTo, segments, scopes);
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
    return withContext(pieces, lines, scopes, commentPrefix);
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
   * trailing lines. Nodes, or the parts of them, on lines an earlier item owns are left to it.
   */
  private static List<Item> layout(List<? extends SyntaxNode> nodes, int first, int last) {
    List<? extends SyntaxNode> sorted = nodes.stream().sorted(Comparator.comparingInt(SyntaxNode::firstLine)).toList();
    List<Item> items = new ArrayList<>();
    int owned = first - 1;
    for (SyntaxNode node : sorted) {
      int end = Math.min(node.lastLine(), last);
      if (end <= owned) {
        continue;
      }
      int start = items.isEmpty() ? Math.max(node.firstLine(), first) : owned + 1;
      if (start > end) {
        continue;
      }
      if (items.isEmpty() && start > first) {
        items.add(new Item(first, start - 1, null));
      }
      items.add(new Item(start, end, node));
      owned = end;
    }
    if (items.isEmpty()) {
      items.add(new Item(first, last, null));
    } else if (owned < last) {
      Item tail = items.removeLast();
      items.add(new Item(tail.first(), last, tail.node()));
    }
    return items;
  }

  /** Appends {@code item}, or its parts when it is a node too large for one chunk, to {@code out}. */
  private void flatten(Item item, long[] costUpTo, List<Segment> out, List<Scope> scopes) {
    long cost = costUpTo[item.last()] - costUpTo[item.first() - 1];
    if (cost <= size) {
      out.add(new Segment(item.first(), item.last(), false));
      return;
    }
    SyntaxNode node = item.node();
    if (node != null && !node.label().isEmpty()) {
      scopes.add(new Scope(item.first(), item.last(), node.label()));
    }
    List<? extends SyntaxNode> parts = node == null ? List.of() : node.parts();
    if (parts.isEmpty()) {
      out.add(new Segment(item.first(), item.last(), true));
      return;
    }
    for (Item child : layout(parts, item.first(), item.last())) {
      flatten(child, costUpTo, out, scopes);
    }
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

  /** The pieces, each with the innermost labelled scope it starts inside (past the scope's first line) as context. */
  private static List<Piece> withContext(List<Piece> pieces, LineIndex lines, List<Scope> scopes, String commentPrefix) {
    List<Piece> out = new ArrayList<>(pieces.size());
    for (Piece piece : pieces) {
      int line = lines.lineOf(piece.start());
      Scope enclosing = null;
      for (Scope s : scopes) {
        if (s.first() < line && line <= s.last() && (enclosing == null || s.first() >= enclosing.first())) {
          enclosing = s;
        }
      }
      out.add(enclosing == null ? piece : new Piece(piece.start(), piece.end(), commentPrefix + " " + enclosing.label()));
    }
    return out;
  }
}
