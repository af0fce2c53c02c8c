package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Character classes and span helpers shared by the chunkers. Stateless and thread-safe.
 */
final class TextSpans {

  private TextSpans() {
  }

  /** Whitespace in the broad sense: what no tokenizer turns into a token (incl. NBSP, controls, format chars). */
  static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)
        || Character.getType(cp) == Character.FORMAT;
  }

  /** Whether {@code text[from, to)} holds only whitespace. */
  static boolean isBlank(String text, int from, int to) {
    for (int i = from; i < to; ) {
      int cp = text.codePointAt(i);
      if (!isSpace(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  /** {@code end} moved back over trailing whitespace, not before {@code start}. */
  static int trimEnd(String text, int start, int end) {
    while (end > start && isSpace(text.charAt(end - 1))) {
      end--;
    }
    return end;
  }

  /** {@code start} moved forward over leading whitespace, not past {@code end}. */
  static int trimStart(String text, int start, int end) {
    while (start < end && isSpace(text.charAt(start))) {
      start++;
    }
    return start;
  }

  /**
   * A span whose cost exceeds {@code limit}, cut into pieces of at most {@code limit}: first into
   * words (cut where a token follows whitespace), so packing can overlap inside a long sentence
   * or line; a single word still above the limit is cut every {@code limit} tokens.
   */
  static List<Span> splitOversized(String text, int start, int end, TokenCounter counter, int limit) {
    String s = text.substring(start, end);
    int[] tokens = counter.tokenStarts(s);
    List<Span> out = new ArrayList<>();
    int k = 0;
    while (k < tokens.length) {
      int m = k + 1;
      while (m < tokens.length && !isSpace(s.charAt(tokens[m] - 1))) {
        m++;
      }
      for (int p = k; p < m; p += limit) {
        int q = Math.min(p + limit, m);
        int pieceEnd = q < tokens.length ? tokens[q] : s.length();
        pieceEnd = trimEnd(s, tokens[p], pieceEnd);
        out.add(new Span(start + tokens[p], start + pieceEnd, q - p));
      }
      k = m;
    }
    return out;
  }
}
