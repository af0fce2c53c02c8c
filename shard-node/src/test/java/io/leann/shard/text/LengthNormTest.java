package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;

class LengthNormTest {
  @Test
  void encodesEveryLengthAsLuceneDoes() {
    for (int length = 0; length < 200_000; length++) {
      assertEquals(SmallFloat.intToByte4(length), LengthNorm.encode(length), "length " + length);
    }
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      int length = random.nextInt(Integer.MAX_VALUE);
      assertEquals(SmallFloat.intToByte4(length), LengthNorm.encode(length), "length " + length);
    }
    assertEquals(SmallFloat.intToByte4(Integer.MAX_VALUE), LengthNorm.encode(Integer.MAX_VALUE));
  }

  @Test
  void decodesEveryByteAsLuceneDoes() {
    for (int b = 0; b < 256; b++) {
      assertEquals(SmallFloat.byte4ToInt((byte) b), LengthNorm.decode((byte) b), "byte " + b);
    }
  }

  @Test
  void shortLengthsAreExactAndLongOnesRoundDown() {
    assertEquals(24, LengthNorm.EXACT_LENGTHS);
    for (int length = 0; length < 24; length++) {
      assertEquals(length, LengthNorm.decode(LengthNorm.encode(length)));
    }
    // 24 + 8..15 keep full precision in the 4-bit mantissa; 24 + 16 and 24 + 17 share a bucket.
    assertEquals(40, LengthNorm.decode(LengthNorm.encode(41)));
    assertThrows(IllegalArgumentException.class, () -> LengthNorm.encode(-1));
  }
}
