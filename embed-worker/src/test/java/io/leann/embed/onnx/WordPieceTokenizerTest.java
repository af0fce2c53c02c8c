package io.leann.embed.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {

  private static WordPieceTokenizer tokenizer;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream json = WordPieceTokenizerTest.class.getClassLoader()
        .getResourceAsStream(OnnxEmbedder.TOKENIZER_RESOURCE)) {
      tokenizer = WordPieceTokenizer.fromTokenizerJson(json, 256);
    }
  }

  @Test
  void encodesPunctuationAsSeparateTokensBetweenClsAndSep() {
    assertEquals(List.of("hello", ",", "world", "!"), tokenizer.tokenize("Hello, world!"));
    assertArrayEquals(
        new int[] {101, 7592, 1010, 2088, 999, 102}, tokenizer.encode("Hello, world!"));
  }

  @Test
  void splitsUnknownWordsIntoLongestMatchingPieces() {
    assertEquals(List.of("una", "##ffa", "##ble"), tokenizer.tokenize("unaffable"));
    assertEquals(List.of("token", "##izer", "##s"), tokenizer.tokenize("tokenizers"));
  }

  @Test
  void lowercasesAndStripsAccents() {
    assertEquals(
        List.of("cafe", "uber", "naive", "resume"), tokenizer.tokenize("Café ÜBER naïve Résumé"));
    assertEquals(tokenizer.tokenize("cafe"), tokenizer.tokenize("cafe\u0301"));
  }

  @Test
  void givesEveryCjkIdeographItsOwnToken() {
    assertEquals(List.of("中", "文", "abc", "日", "本"), tokenizer.tokenize("中文ABC日本"));
    assertEquals(tokenizer.tokenId("中"), tokenizer.encode("中")[1]);
  }

  @Test
  void dropsControlCharactersAndSplitsOnAnyWhitespace() {
    // NUL and the zero-width space (a format character) vanish; tab and no-break space separate.
    assertEquals(List.of("ab", "c", "de"), tokenizer.tokenize("a\u0000b\tc\u00A0d\u200Be"));
    assertEquals(List.of("a", "b"), tokenizer.tokenize("  a\r\n\u2028b  "));
  }

  @Test
  void treatsAsciiSymbolsAsPunctuation() {
    assertEquals(List.of("$", "5", "+", "3", "=", "8", "~", "|"), tokenizer.tokenize("$5+3=8~|"));
    assertEquals(List.of("don", "'", "t", "—", "stop"), tokenizer.tokenize("don't—stop"));
  }

  @Test
  void mapsWordsWithoutACompleteSplitOrLongerThan100CharsToUnk() {
    int unk = tokenizer.tokenId("[UNK]");
    assertArrayEquals(new int[] {101, unk, 102}, tokenizer.encode("ab\u2603"));
    assertArrayEquals(new int[] {101, unk, 102}, tokenizer.encode("a".repeat(101)));
    assertEquals(List.of("[UNK]", "[UNK]"), tokenizer.tokenize("字 \uD83D\uDE00"));
    assertTrue(tokenizer.tokenize("a".repeat(100)).size() > 1, "100 chars is still split");
  }

  @Test
  void truncatesOnTheRightToTheSequenceLimit() {
    String longText = "apple ".repeat(1000);
    assertEquals(1000, tokenizer.tokenize(longText).size());
    int[] ids = tokenizer.encode(longText);
    assertEquals(256, ids.length);
    assertEquals(101, ids[0]);
    assertEquals(102, ids[255]);
    int apple = tokenizer.tokenId("apple");
    assertTrue(Arrays.stream(ids, 1, 255).allMatch(id -> id == apple));
    assertArrayEquals(ids, tokenizer.encode("apple ".repeat(254)));
  }

  @Test
  void encodesTheEmptyTextAsClsSep() {
    assertArrayEquals(new int[] {101, 102}, tokenizer.encode(""));
    assertArrayEquals(new int[] {101, 102}, tokenizer.encode(" \n\t\u0000"));
  }

  @Test
  void rejectsATokenizerJsonThatIsNotWordPiece() {
    byte[] bpe = "{\"model\":{\"type\":\"BPE\",\"vocab\":{}}}".getBytes(StandardCharsets.UTF_8);
    IOException e = assertThrows(IOException.class,
        () -> WordPieceTokenizer.fromTokenizerJson(new ByteArrayInputStream(bpe), 128));
    assertTrue(e.getMessage().contains("not a WordPiece"), e.getMessage());
  }
}
