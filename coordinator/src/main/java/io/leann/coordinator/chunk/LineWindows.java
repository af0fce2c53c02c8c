package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Line-aware windows for code: whole non-blank lines are packed into windows of at most
 * {@code size} (in the counter's measure), the next window re-taking trailing lines worth up to
 * {@code overlap}. A chunk therefore starts at the beginning of a line (indentation kept) and ends
 * at the end of one, so its text equals the source lines it names. A line of nothing but closing
 * brackets and separators stays with the line above it, so no window starts with one. A single
 * line above the budget (minified code, a data blob) is cut into words and token runs.
 *
 * <p>Used for code with the token measure, and by the AST chunker with the non-whitespace
 * character measure for members too large for one chunk. Immutable and thread-safe.
 */
final class LineWindows {

  private final TokenCounter counter;
  private final int size;
  private final int overlap;

  LineWindows(TokenCounter counter, int size, int overlap) {
    this.counter = counter;
    this.size = size;
    this.overlap = overlap;
  }

  /** Windows over all lines of {@code text}. */
  List<Piece> chunk(String text, LineIndex lines) {
    return chunk(text, lines, 1, lines.lineCount());
  }

  /** Windows over the 1-based, inclusive line range {@code [fromLine, toLine]}. */
  List<Piece> chunk(String text, LineIndex lines, int fromLine, int toLine) {
    List<Span> units = new ArrayList<>();
    boolean previousIsWholeLine = false;
    for (int line = fromLine; line <= toLine; line++) {
      if (lines.isBlank(line)) {
        continue;
      }
      int start = lines.lineStart(line);
      int end = lines.lineEnd(line);
      int cost = counter.count(text.substring(start, end));
      if (cost > size) {
        int contentStart = TextSpans.trimStart(text, start, end);
        units.addAll(TextSpans.splitOversized(text, contentStart, end, counter, size));
        previousIsWholeLine = false;
        continue;
      }
      Span previous = units.isEmpty() ? null : units.getLast();
      if (previousIsWholeLine && isClosingOnly(text, start, end) && previous.cost() + cost <= size) {
        // A line of closing brackets belongs to the block above it; alone it would open a window with a lone "}".
        units.set(units.size() - 1, new Span(previous.start(), end, previous.cost() + cost));
      } else {
        units.add(new Span(start, end, cost));
      }
      previousIsWholeLine = true;
    }
    List<Piece> pieces = new ArrayList<>();
    for (WindowPacker.Window w : WindowPacker.pack(units, size, overlap)) {
      pieces.add(Piece.of(units.get(w.from()).start(), units.get(w.to() - 1).end()));
    }
    return pieces;
  }

  /** Whether the line holds nothing but closing brackets and separators, such as a block's end. */
  private static boolean isClosingOnly(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (!TextSpans.isSpace(c) && ")]};,".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
