package io.leann.coordinator.chunk;

/**
 * Counts non-whitespace characters (code points): the size measure of AST chunks, as in astchunk
 * (cAST), which LEANN uses; it does not reward or punish indentation style. Each non-whitespace
 * code point is one "token", so the generic window and splitting code applies unchanged.
 *
 * <p>Stateless and thread-safe.
 */
final class NonWhitespaceCounter implements TokenCounter {

  static final NonWhitespaceCounter INSTANCE = new NonWhitespaceCounter();

  private NonWhitespaceCounter() {
  }

  @Override
  public int count(String text) {
    int count = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (!TextSpans.isSpace(cp)) {
        count++;
      }
      i += Character.charCount(cp);
    }
    return count;
  }

  @Override
  public int[] tokenStarts(String text) {
    IntList sink = new IntList();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (!TextSpans.isSpace(cp)) {
        sink.add(i);
      }
      i += Character.charCount(cp);
    }
    return sink.toArray();
  }
}
