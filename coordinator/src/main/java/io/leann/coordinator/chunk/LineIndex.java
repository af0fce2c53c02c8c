package io.leann.coordinator.chunk;

import java.util.Arrays;

/**
 * Line starts of a text with {@code \n} line ends, for mapping offsets to 1-based line numbers and
 * back. A trailing {@code \n} does not open an extra line. Immutable and thread-safe.
 */
final class LineIndex {

  private final String text;
  private final int[] starts;

  LineIndex(String text) {
    this.text = text;
    IntList s = new IntList();
    s.add(0);
    for (int i = text.indexOf('\n'); i >= 0 && i + 1 < text.length(); i = text.indexOf('\n', i + 1)) {
      s.add(i + 1);
    }
    this.starts = s.toArray();
  }

  int lineCount() {
    return starts.length;
  }

  /** The 1-based line holding the char at {@code offset}. */
  int lineOf(int offset) {
    int i = Arrays.binarySearch(starts, offset);
    return i >= 0 ? i + 1 : -i - 1;
  }

  /** Offset of the first char of a 1-based line. */
  int lineStart(int line) {
    return starts[line - 1];
  }

  /** Offset just past the last char of a 1-based line, its {@code \n} excluded. */
  int lineEnd(int line) {
    if (line < starts.length) {
      return starts[line] - 1;
    }
    return text.endsWith("\n") ? text.length() - 1 : text.length();
  }

  /** Whether a 1-based line holds only whitespace. */
  boolean isBlank(int line) {
    return TextSpans.isBlank(text, lineStart(line), lineEnd(line));
  }
}
