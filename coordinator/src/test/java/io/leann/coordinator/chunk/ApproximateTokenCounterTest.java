package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApproximateTokenCounterTest {

  private final TokenCounter counter = ApproximateTokenCounter.INSTANCE;

  @Test
  void wordsAndPunctuationLikeBert() {
    assertEquals(4, counter.count("Hello, world!"));
    assertEquals(3, counter.count("snake_case"), "underscore is punctuation");
    assertEquals(0, counter.count(" \t\n\u00A0 "));
    assertEquals(1, counter.count("search"), "six letters: one piece");
    assertEquals(2, counter.count("searches"), "eight letters: two pieces");
    assertEquals(5, counter.count("internationalization"), "1 + ceil(14 / 4)");
    assertEquals(3, counter.count("\u65e5\u672c\u8a9e"), "one per ideograph");
    assertEquals(3, counter.count("\u043f\u0440\u0438\u0432\u0435\u0442"), "non-Latin word: one piece per 2 letters");
    assertEquals(2, counter.count("\uD83D\uDE00\uD83D\uDE01"), "each emoji is a symbol");
  }

  @Test
  void tokenStartsAgreeWithCount() {
    String text = "The quick brown fox, e.g. internationalization \uD83D\uDE00 \u65e5\u672c x_y 3.14";
    int[] starts = counter.tokenStarts(text);
    assertEquals(counter.count(text), starts.length);
    for (int i = 1; i < starts.length; i++) {
      assertTrue(starts[i] > starts[i - 1]);
    }
    for (int s : starts) {
      assertTrue(!Character.isLowSurrogate(text.charAt(s)), "never inside a surrogate pair");
    }
    assertArrayEquals(new int[] {0, 1, 3}, counter.tokenStarts("a, b"));
  }

  @Test
  void nonWhitespaceMeasure() {
    assertEquals(7, NonWhitespaceCounter.INSTANCE.count("  int x = 1;\n"));
    assertArrayEquals(new int[] {1, 3}, NonWhitespaceCounter.INSTANCE.tokenStarts(" a b "));
  }
}
