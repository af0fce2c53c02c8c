package io.leann.coordinator.chunk;

/**
 * A cheap estimate of BERT WordPiece token counts (the tokenizer of all-MiniLM-L6-v2 and
 * Contriever), without a vocabulary:
 *
 * <ul>
 *   <li>whitespace, control and format characters are not tokens;
 *   <li>each punctuation mark or symbol is one token, as BERT's pre-tokenizer isolates them (so
 *       {@code snake_case} is three tokens);
 *   <li>each CJK ideograph, kana or hangul syllable is one token;
 *   <li>a run of letters and digits is a word: up to 6 characters is one piece (common words are
 *       whole entries of the vocabulary), longer words add one piece per 4 further characters;
 *       words mostly in non-Latin scripts, where the vocabulary is thin, count one piece per 2
 *       characters.
 * </ul>
 *
 * <p>It errs towards over-counting long and rare words, so a chunk sized with it rarely exceeds
 * the model's real limit. Stateless and thread-safe.
 */
public final class ApproximateTokenCounter implements TokenCounter {

  /** The shared instance. */
  public static final ApproximateTokenCounter INSTANCE = new ApproximateTokenCounter();

  private static final int WHOLE_WORD_CHARS = 6;
  private static final int CHARS_PER_EXTRA_PIECE = 4;
  private static final int CHARS_PER_PIECE_NON_LATIN = 2;

  private ApproximateTokenCounter() {
  }

  @Override
  public int count(String text) {
    return scan(text, null);
  }

  @Override
  public int[] tokenStarts(String text) {
    IntList sink = new IntList();
    scan(text, sink);
    return sink.toArray();
  }

  /** Counts tokens, reporting each start to {@code sink} when it is not null. */
  private static int scan(String text, IntList sink) {
    int n = text.length();
    int tokens = 0;
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (TextSpans.isSpace(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      if (!isWordChar(cp) || isCjk(cp)) {
        if (sink != null) {
          sink.add(i);
        }
        tokens++;
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      int length = 0;
      int nonLatin = 0;
      while (i < n) {
        int c = text.codePointAt(i);
        if (!isWordChar(c) || isCjk(c)) {
          break;
        }
        if (Character.isLetter(c) && Character.UnicodeScript.of(c) != Character.UnicodeScript.LATIN) {
          nonLatin++;
        }
        length++;
        i += Character.charCount(c);
      }
      int pieces = pieces(length, nonLatin * 2 > length);
      if (sink != null) {
        boolean bmpOnly = i - start == length;
        for (int p = 0; p < pieces; p++) {
          int codePointIndex = (int) ((long) p * length / pieces);
          sink.add(bmpOnly ? start + codePointIndex : text.offsetByCodePoints(start, codePointIndex));
        }
      }
      tokens += pieces;
    }
    return tokens;
  }

  private static int pieces(int length, boolean nonLatin) {
    if (nonLatin) {
      return (length + CHARS_PER_PIECE_NON_LATIN - 1) / CHARS_PER_PIECE_NON_LATIN;
    }
    if (length <= WHOLE_WORD_CHARS) {
      return 1;
    }
    return 1 + (length - WHOLE_WORD_CHARS + CHARS_PER_EXTRA_PIECE - 1) / CHARS_PER_EXTRA_PIECE;
  }

  private static boolean isWordChar(int cp) {
    if (Character.isLetterOrDigit(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  private static boolean isCjk(int cp) {
    Character.UnicodeScript script = Character.UnicodeScript.of(cp);
    return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
        || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
  }
}
