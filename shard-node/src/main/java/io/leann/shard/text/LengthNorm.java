package io.leann.shard.text;

/**
 * Lucene's lossy one-byte encoding of a document length (its {@code SmallFloat.intToByte4} and
 * {@code byte4ToInt}), written here from the definition so that BM25 scores match Lucene's to the
 * last bit: Lucene never scores with the true length, only with the decoded byte.
 *
 * <p>The byte spends its first {@value #EXACT_LENGTHS} values on the lengths {@code 0..23}
 * exactly; the remaining values encode {@code length - 24} as a tiny float with a 3-bit mantissa
 * (plus an implicit leading bit) and a 5-bit exponent, which reaches {@link Integer#MAX_VALUE}.
 * Decoding rounds down to the bucket's smallest length. Stateless and thread-safe.
 */
public final class LengthNorm {
  /** Lengths below this are stored exactly: 255 minus the largest 4-bit-mantissa code. */
  static final int EXACT_LENGTHS = 255 - longToInt4(Integer.MAX_VALUE);

  private LengthNorm() {}

  /** The norm byte for a document of {@code length} tokens. */
  public static byte encode(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length must not be negative: " + length);
    }
    if (length < EXACT_LENGTHS) {
      return (byte) length;
    }
    return (byte) (EXACT_LENGTHS + longToInt4(length - EXACT_LENGTHS));
  }

  /** The length Lucene scores with for {@code norm}: the smallest length of its bucket. */
  public static int decode(byte norm) {
    int i = Byte.toUnsignedInt(norm);
    if (i < EXACT_LENGTHS) {
      return i;
    }
    return Math.toIntExact(EXACT_LENGTHS + int4ToLong(i - EXACT_LENGTHS));
  }

  /** Keeps the 4 most significant bits of {@code value}; the upper bits count the dropped ones. */
  private static int longToInt4(long value) {
    int bits = 64 - Long.numberOfLeadingZeros(value);
    if (bits < 4) {
      return (int) value;
    }
    int shift = bits - 4;
    // The top bit of the kept four is always 1, so it is implicit and its slot stores the shift.
    int mantissa = (int) (value >>> shift) & 0x07;
    return mantissa | (shift + 1) << 3;
  }

  private static long int4ToLong(int code) {
    long mantissa = code & 0x07;
    int shift = (code >>> 3) - 1;
    return shift == -1 ? mantissa : (mantissa | 0x08) << shift;
  }
}
