package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits prose into sentences, as char ranges trimmed of surrounding whitespace.
 *
 * <p>A sentence ends:
 * <ul>
 *   <li>after {@code . ! ? …} (runs such as {@code ?!} or {@code ...} included, then closing
 *       quotes and brackets) followed by whitespace or the end of the text, except after a period
 *       that ends an abbreviation ({@code e.g.}, {@code Dr.}, {@code Fig.}, month names), an
 *       initial ({@code J. Smith}) or a list number at the start of a line ({@code 1. Install}),
 *       and except when the next word starts in lower case ({@code etc. and}, {@code ... then});
 *       decimals ({@code 3.14}) and dotted names ({@code example.com}) never end one because no
 *       whitespace follows the period;
 *   <li>after the CJK marks {@code 。！？}, with or without whitespace;
 *   <li>at a blank line (paragraph break);
 *   <li>at a newline next to a Markdown block: the next line opens a heading, list item, quote,
 *       table row, fence or setext underline, or the current line is a heading or table row.
 * </ul>
 * Any other newline is a soft wrap inside a sentence.
 *
 * <p>Stateless and thread-safe.
 */
final class SentenceSplitter {

  /** Words that a period follows without ending the sentence; case-sensitive on purpose ("No. 5" vs "say no."). */
  private static final Set<String> ABBREVIATIONS = Set.of(
      "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Rev", "Fr", "Gen", "Col",
      "Capt", "Lt", "Sgt", "Gov", "Sen", "Rep", "Hon", "Fig", "fig", "Figs", "figs", "Eq", "eq",
      "Eqs", "eqs", "No", "Nos", "Vol", "vol", "Vols", "vols", "p", "pp", "Ch", "ch", "Sec", "sec",
      "Art", "Ed", "Eds", "vs", "Vs", "cf", "Cf", "e.g", "E.g", "i.e", "I.e", "viz", "approx",
      "Approx", "ca", "al", "ref", "Ref", "refs", "Refs", "Dept", "dept", "Univ", "incl", "resp",
      "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec");

  private SentenceSplitter() {
  }

  /** The sentences of {@code text}, in order, as spans of cost 0; blank text gives none. */
  static List<Span> split(String text) {
    List<Span> out = new ArrayList<>();
    int n = text.length();
    int sentenceStart = skipSpace(text, 0);
    int i = sentenceStart;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n') {
        if (newlineEndsSentence(text, i)) {
          emit(text, sentenceStart, i, out);
          sentenceStart = skipSpace(text, i + 1);
          i = sentenceStart;
        } else {
          i++;
        }
      } else if (isTerminator(c)) {
        int last = i;
        while (last + 1 < n && isTerminator(text.charAt(last + 1))) {
          last++;
        }
        int after = skipClosers(text, last + 1);
        if ((after == n || Character.isWhitespace(text.charAt(after))) && endsSentence(text, i, last, after)) {
          emit(text, sentenceStart, after, out);
          sentenceStart = skipSpace(text, after);
          i = sentenceStart;
        } else {
          i = after;
        }
      } else if (isCjkTerminator(c)) {
        int after = i + 1;
        while (after < n && isCjkTerminator(text.charAt(after))) {
          after++;
        }
        after = skipClosers(text, after);
        emit(text, sentenceStart, after, out);
        sentenceStart = skipSpace(text, after);
        i = sentenceStart;
      } else {
        i++;
      }
    }
    emit(text, sentenceStart, n, out);
    return out;
  }

  /**
   * Whether the terminator run {@code text[first..last]}, followed by whitespace at {@code after}
   * (closers skipped), ends a sentence.
   */
  private static boolean endsSentence(String text, int first, int last, int after) {
    int next = skipSpace(text, after);
    if (next >= text.length()) {
      return true;
    }
    char end = text.charAt(last);
    if (end == '!' || end == '?') {
      return true;
    }
    if (Character.isLowerCase(text.codePointAt(next))) {
      return false;
    }
    boolean singlePeriod = first == last && text.charAt(first) == '.';
    if (!singlePeriod) {
      return true;
    }
    int wordStart = first;
    while (wordStart > 0 && !Character.isWhitespace(text.charAt(wordStart - 1))) {
      wordStart--;
    }
    while (wordStart < first && "([{\"'\u201C\u2018\u00AB".indexOf(text.charAt(wordStart)) >= 0) {
      wordStart++;
    }
    String word = text.substring(wordStart, first);
    if (word.isEmpty()) {
      return true;
    }
    if (ABBREVIATIONS.contains(word)) {
      return false;
    }
    if (word.length() == 1 && Character.isUpperCase(word.charAt(0))) {
      return false;
    }
    return !(atLineStart(text, wordStart) && isListMarker(word));
  }

  /** Whether a newline at {@code i} ends a sentence: paragraph break or Markdown block boundary. */
  private static boolean newlineEndsSentence(String text, int i) {
    int next = i + 1;
    while (next < text.length() && (text.charAt(next) == ' ' || text.charAt(next) == '\t')) {
      next++;
    }
    if (next >= text.length() || text.charAt(next) == '\n') {
      return true;
    }
    if (opensBlock(text, next)) {
      return true;
    }
    int lineStart = text.lastIndexOf('\n', i - 1) + 1;
    while (lineStart < i && (text.charAt(lineStart) == ' ' || text.charAt(lineStart) == '\t')) {
      lineStart++;
    }
    return lineStart < i && (text.charAt(lineStart) == '#' || text.charAt(lineStart) == '|');
  }

  /** Whether a line whose first non-blank char is at {@code at} opens a Markdown block. */
  private static boolean opensBlock(String text, int at) {
    char c = text.charAt(at);
    if (c == '#' || c == '>' || c == '|') {
      return true;
    }
    if (text.startsWith("```", at) || text.startsWith("~~~", at) || text.startsWith("===", at)
        || text.startsWith("---", at)) {
      return true;
    }
    if ((c == '-' || c == '*' || c == '+' || c == '\u2022') && at + 1 < text.length() && text.charAt(at + 1) == ' ') {
      return true;
    }
    int j = at;
    while (j < text.length() && j - at < 3 && Character.isDigit(text.charAt(j))) {
      j++;
    }
    return j > at && j + 1 < text.length() && (text.charAt(j) == '.' || text.charAt(j) == ')')
        && text.charAt(j + 1) == ' ';
  }

  private static boolean isListMarker(String word) {
    if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
      return true;
    }
    return word.length() <= 3 && word.chars().allMatch(Character::isDigit);
  }

  private static boolean atLineStart(String text, int at) {
    for (int j = at - 1; j >= 0; j--) {
      char c = text.charAt(j);
      if (c == '\n') {
        return true;
      }
      if (c != ' ' && c != '\t') {
        return false;
      }
    }
    return true;
  }

  private static void emit(String text, int start, int end, List<Span> out) {
    int trimmedEnd = TextSpans.trimEnd(text, start, end);
    if (trimmedEnd > start) {
      out.add(new Span(start, trimmedEnd, 0));
    }
  }

  private static int skipSpace(String text, int i) {
    while (i < text.length() && TextSpans.isSpace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int skipClosers(String text, int i) {
    while (i < text.length() && "\"')]}\u201D\u2019\u00BB".indexOf(text.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }

  private static boolean isTerminator(char c) {
    return c == '.' || c == '!' || c == '?' || c == '\u2026';
  }

  private static boolean isCjkTerminator(char c) {
    return c == '\u3002' || c == '\uFF01' || c == '\uFF1F';
  }
}
