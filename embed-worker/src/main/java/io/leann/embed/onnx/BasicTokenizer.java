package io.leann.embed.onnx;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT's basic tokenizer: normalises a text and splits it into words and punctuation marks, the
 * input of the WordPiece step. It reproduces Hugging Face's {@code BertNormalizer} followed by
 * {@code BertPreTokenizer}, because the model was trained on exactly that segmentation:
 *
 * <ol>
 *   <li>drops NUL, U+FFFD and control/format/unassigned code points, and turns every other
 *       whitespace (tab, newline, no-break space, ...) into a plain space;
 *   <li>surrounds each CJK ideograph with spaces, so every ideograph becomes its own word;
 *   <li>for uncased models: NFD-decomposes, drops non-spacing marks (accents) and lowercases code
 *       point by code point (as the Rust tokenizer does, so no context-dependent final sigma);
 *   <li>splits on spaces and isolates each punctuation character (Unicode P* categories plus all
 *       ASCII symbols such as {@code $ + < = > ^ ` | ~}).
 * </ol>
 *
 * <p>Immutable and thread-safe.
 */
final class BasicTokenizer {

  private final boolean uncased;

  BasicTokenizer(boolean uncased) {
    this.uncased = uncased;
  }

  /** The words and punctuation marks of {@code text}, in order; never contains an empty string. */
  List<String> split(String text) {
    String normalized = normalize(text);
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < normalized.length(); ) {
      int cp = normalized.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == ' ') {
        flush(word, words);
      } else if (isPunctuation(cp)) {
        flush(word, words);
        words.add(Character.toString(cp));
      } else {
        word.appendCodePoint(cp);
      }
    }
    flush(word, words);
    return words;
  }

  private String normalize(String text) {
    StringBuilder cleaned = new StringBuilder(text.length() + 16);
    text.codePoints().forEach(cp -> {
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
        return;
      }
      if (isWhitespace(cp)) {
        cleaned.append(' ');
      } else if (isCjk(cp)) {
        cleaned.append(' ').appendCodePoint(cp).append(' ');
      } else {
        cleaned.appendCodePoint(cp);
      }
    });
    if (!uncased) {
      return cleaned.toString();
    }
    String decomposed = Normalizer.normalize(cleaned, Normalizer.Form.NFD);
    StringBuilder folded = new StringBuilder(decomposed.length());
    decomposed.codePoints()
        .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
        .forEach(cp -> folded.appendCodePoint(Character.toLowerCase(cp)));
    return folded.toString();
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (!word.isEmpty()) {
      words.add(word.toString());
      word.setLength(0);
    }
  }

  private static boolean isWhitespace(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r' || cp == ' ') {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED -> true;
      default -> false;
    };
  }

  /** The CJK Unified Ideographs blocks (not Hangul or kana, which BERT splits like Latin text). */
  private static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  private static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
        || (cp >= 123 && cp <= 126)) {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
  }
}
