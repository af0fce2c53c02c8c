package io.leann.shard.text;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits text into lower-cased words for BM25: a token is a maximal run of Unicode letters and
 * digits ({@link Character#isLetterOrDigit(int)}), lower-cased code point by code point with
 * {@link Character#toLowerCase(int)}. No stemming and no stop words, as in the SQLite FTS5
 * {@code unicode61} tokenizer the Python LEANN uses.
 *
 * <p>This is exactly Lucene's {@code CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit)}
 * followed by {@code LowerCaseFilter}, including its cut of runs longer than
 * {@value #MAX_TOKEN_LENGTH} UTF-16 units into several tokens. On plain English prose it also agrees
 * with Lucene's {@code StandardAnalyzer}; it differs where UAX#29 word rules keep punctuation inside
 * a word ({@code don't}, {@code 3.14}, {@code www.example.com}, {@code snake_case} stay one token
 * there, become several here) and for scripts without spaces (StandardAnalyzer emits one token per
 * Han ideograph; here a run of them is one word, as in FTS5). Unlike FTS5's default it keeps
 * diacritics ({@code café} does not match {@code cafe}), and combining marks, which are not letters,
 * split a decomposed word.
 *
 * <p>Stateless and thread-safe.
 */
public final class WordTokenizer {
  /** Longest token in UTF-16 units; longer runs continue as a new token (Lucene's default). */
  public static final int MAX_TOKEN_LENGTH = 255;

  private WordTokenizer() {}

  /** The tokens of {@code text}, in order, repeats included. */
  public static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    forEachToken(text, tokens::add);
    return tokens;
  }

  /** Hands each token of {@code text} to {@code sink}, in order. */
  public static void forEachToken(String text, Consumer<String> sink) {
    StringBuilder token = new StringBuilder();
    int length = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int cp = text.codePointAt(i);
      int units = Character.charCount(cp);
      i += units;
      if (Character.isLetterOrDigit(cp)) {
        token.appendCodePoint(Character.toLowerCase(cp));
        length += units;
        if (length >= MAX_TOKEN_LENGTH) {
          sink.accept(token.toString());
          token.setLength(0);
          length = 0;
        }
      } else if (length > 0) {
        sink.accept(token.toString());
        token.setLength(0);
        length = 0;
      }
    }
    if (length > 0) {
      sink.accept(token.toString());
    }
  }
}
