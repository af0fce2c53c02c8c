package io.leann.coordinator.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turns a text file's bytes into a string, or recognises that the file is binary.
 *
 * <ol>
 *   <li>A UTF-16 byte-order mark selects UTF-16 (such files are full of NULs, so this comes first);
 *       a UTF-8 BOM is dropped.
 *   <li>A NUL byte in the first 8 KiB means binary: no text format we load contains one.
 *   <li>Valid UTF-8 is decoded as UTF-8.
 *   <li>Otherwise, if at least 70% of the first 8 KiB is printable ASCII or whitespace, the file is
 *       taken for legacy 8-bit text and decoded as windows-1252 (a superset of Latin-1 for
 *       printable characters); below that it is binary.
 * </ol>
 *
 * <p>Line ends are normalised to {@code \n}. Stateless and thread-safe.
 */
final class TextDecoder {

  static final int SNIFF_BYTES = 8 * 1024;
  private static final double MIN_TEXT_FRACTION = 0.7;
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  private TextDecoder() {
  }

  /** The text of {@code bytes}, or empty when they look binary. */
  static Optional<String> decode(byte[] bytes) {
    if (startsWith(bytes, 0xFE, 0xFF)) {
      return Optional.of(normalizeLineEnds(new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16BE)));
    }
    if (startsWith(bytes, 0xFF, 0xFE)) {
      return Optional.of(normalizeLineEnds(new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE)));
    }
    if (hasNul(bytes)) {
      return Optional.empty();
    }
    int offset = utf8BomLength(bytes);
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset))
          .toString();
      return Optional.of(normalizeLineEnds(text));
    } catch (CharacterCodingException notUtf8) {
      if (textFraction(bytes, offset) < MIN_TEXT_FRACTION) {
        return Optional.empty();
      }
      return Optional.of(normalizeLineEnds(new String(bytes, offset, bytes.length - offset, WINDOWS_1252)));
    }
  }

  /**
   * Rule 2 alone: whether the first {@link #SNIFF_BYTES} of a file (all of {@code head} may be just
   * those) mark it as binary. {@link #decode} may still find a file binary that passes this test,
   * so this is a cheap early answer for files not worth reading whole, never the final one.
   */
  static boolean looksBinary(byte[] head) {
    return !startsWith(head, 0xFE, 0xFF) && !startsWith(head, 0xFF, 0xFE) && hasNul(head);
  }

  private static boolean hasNul(byte[] bytes) {
    return isBinary(bytes, utf8BomLength(bytes));
  }

  private static int utf8BomLength(byte[] bytes) {
    return startsWith(bytes, 0xEF, 0xBB, 0xBF) ? 3 : 0;
  }

  /** Whether the first {@link #SNIFF_BYTES} after {@code offset} hold a NUL byte. */
  static boolean isBinary(byte[] bytes, int offset) {
    int end = Math.min(bytes.length, offset + SNIFF_BYTES);
    for (int i = offset; i < end; i++) {
      if (bytes[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /** {@code \r\n} and lone {@code \r} become {@code \n}. */
  static String normalizeLineEnds(String s) {
    if (s.indexOf('\r') < 0) {
      return s;
    }
    return s.replace("\r\n", "\n").replace('\r', '\n');
  }

  private static double textFraction(byte[] bytes, int offset) {
    int end = Math.min(bytes.length, offset + SNIFF_BYTES);
    if (end <= offset) {
      return 1.0;
    }
    int text = 0;
    for (int i = offset; i < end; i++) {
      int b = bytes[i] & 0xFF;
      if ((b >= 0x20 && b < 0x7F) || b == '\t' || b == '\n' || b == '\r' || b == '\f') {
        text++;
      }
    }
    return (double) text / (end - offset);
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
