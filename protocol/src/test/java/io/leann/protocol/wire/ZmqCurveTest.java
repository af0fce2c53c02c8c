package io.leann.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZmqCurveTest {
  /** The key pairs of the CurveZMQ RFC (rfc.zeromq.org/spec/26) test vectors, client and server public keys. */
  private static final String CLIENT_PUBLIC = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
  private static final String CLIENT_SECRET = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
  private static final String SERVER_PUBLIC = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

  @Test
  void validKeysPassAndMalformedOnesAreNamedWithoutTheirValue() {
    assertEquals(SERVER_PUBLIC, ZmqCurve.requireKey("server-key", SERVER_PUBLIC));
    IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
        () -> ZmqCurve.requireKey("secret-key", "abc"));
    assertTrue(shortKey.getMessage().contains("secret-key must be a 40-character Z85 key"), shortKey.getMessage());
    assertFalse(shortKey.getMessage().contains("abc"));
    String badChar = CLIENT_SECRET.substring(0, 39) + "~";
    IllegalArgumentException alphabet = assertThrows(IllegalArgumentException.class,
        () -> ZmqCurve.requireKey("secret-key", badChar));
    assertTrue(alphabet.getMessage().contains("position 39"), alphabet.getMessage());
    assertFalse(alphabet.getMessage().contains(badChar));
    // "#####" is 85^5 - 1 > 2^32 - 1: 40 Z85 characters that decode to no 32-byte key
    assertThrows(IllegalArgumentException.class, () -> ZmqCurve.requireKey("k", "#####" + SERVER_PUBLIC.substring(5)));
  }

  @Test
  void clientKeysAreAllOrNoneAndNeverPrintTheSecret() {
    assertNull(ZmqCurve.ClientKeys.fromSettings("", " ", "", "test settings"));
    ZmqCurve.ClientKeys keys = ZmqCurve.ClientKeys.fromSettings(SERVER_PUBLIC, CLIENT_PUBLIC, " " + CLIENT_SECRET + "\n", "x");
    assertEquals(CLIENT_SECRET, keys.secretKey());
    assertFalse(keys.toString().contains(CLIENT_SECRET), keys.toString());
    IllegalArgumentException partial = assertThrows(IllegalArgumentException.class,
        () -> ZmqCurve.ClientKeys.fromSettings(SERVER_PUBLIC, "", CLIENT_SECRET, "leann.shard.recompute.curve"));
    assertTrue(partial.getMessage().contains("leann.shard.recompute.curve"), partial.getMessage());
    assertTrue(partial.getMessage().contains("missing: public-key"), partial.getMessage());
    assertFalse(partial.getMessage().contains(CLIENT_SECRET));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> ZmqCurve.ClientKeys.fromSettings(SERVER_PUBLIC, CLIENT_PUBLIC, CLIENT_SECRET + "x", "env"));
    assertTrue(bad.getMessage().contains("secret-key") && bad.getMessage().contains("(in env)"), bad.getMessage());
    assertFalse(bad.getMessage().contains(CLIENT_SECRET));
  }
}
