package io.leann.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NativeCodecTest {
  private static final List<String> TEXTS = List.of("plain ascii", "", "naïve café", "日本語 🙂");

  private static NativeFrame roundTrip(long id, NativeMessage message) throws MalformedFrameException {
    NativeFrame frame = NativeCodec.decode(NativeCodec.encode(id, message));
    assertEquals(id, frame.requestId());
    assertEquals(message.type(), frame.message().type());
    return frame;
  }

  @Test
  void everyMessageTypeRoundTrips() throws MalformedFrameException {
    assertInstanceOf(NativeMessage.Ping.class, roundTrip(1, new NativeMessage.Ping()).message());
    assertEquals(new NativeMessage.ModelInfo("sentence-transformers/all-MiniLM-L6-v2", 384),
        roundTrip(2, new NativeMessage.ModelInfo("sentence-transformers/all-MiniLM-L6-v2", 384)).message());

    float[] query = {0.5f, -1.25f, Float.MIN_VALUE, 3e7f};
    for (Metric metric : Metric.values()) {
      var d = (NativeMessage.Distances) roundTrip(-1L, new NativeMessage.Distances(metric, query, TEXTS)).message();
      assertEquals(metric, d.metric());
      assertArrayEquals(query, d.query());
      assertEquals(TEXTS, d.texts());
    }

    float[] distances = {0f, -0.75f, 1e9f, Float.NaN};
    var dr = (NativeMessage.DistancesReply) roundTrip(Long.MAX_VALUE,
        new NativeMessage.DistancesReply(distances)).message();
    assertArrayEquals(distances, dr.distances());

    assertEquals(TEXTS, ((NativeMessage.Embed) roundTrip(5, new NativeMessage.Embed(TEXTS)).message()).texts());
    assertEquals(List.of(), ((NativeMessage.Embed) roundTrip(6, new NativeMessage.Embed(List.of())).message()).texts());

    float[][] vectors = {{1, 2, 3}, {-4, 5.5f, 6}};
    var er = (NativeMessage.EmbedReply) roundTrip(7, new NativeMessage.EmbedReply(3, vectors)).message();
    assertEquals(3, er.dims());
    assertArrayEquals(vectors, er.vectors());

    assertEquals(new NativeMessage.Error(NativeMessage.ErrorCode.TIMEOUT, "model took too long: ⏱"),
        roundTrip(8, new NativeMessage.Error(NativeMessage.ErrorCode.TIMEOUT, "model took too long: ⏱")).message());
  }

  @Test
  void headerIsLittleEndianWithMagicVersionTypeAndRequestId() {
    byte[] frame = NativeCodec.encode(0x0102030405060708L, new NativeMessage.Ping());
    assertEquals(NativeCodec.HEADER_BYTES, frame.length);
    assertArrayEquals(new byte[] {'L', 'N', 'R', 'C', 1, 1, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1}, frame);
    assertTrue(NativeCodec.isNative(frame));
    assertEquals(0x0102030405060708L, NativeCodec.peekRequestId(frame));
    assertFalse(NativeCodec.isNative(new byte[] {(byte) 0x91, (byte) 0xa1, 'x'}));
  }

  @Test
  void aTraceIdTravelsAfterTheHeaderAndIsBounded() throws MalformedFrameException {
    NativeMessage embed = new NativeMessage.Embed(TEXTS);
    byte[] traced = NativeCodec.encode(9, "req-7f3a", embed);
    assertEquals(NativeCodec.FLAG_TRACE, traced[6]);
    assertEquals(NativeCodec.encode(9, embed).length + 4 + "req-7f3a".length(), traced.length);
    NativeFrame frame = NativeCodec.decode(traced);
    assertEquals("req-7f3a", frame.traceId());
    assertEquals(TEXTS, ((NativeMessage.Embed) frame.message()).texts());
    assertEquals(9, NativeCodec.peekRequestId(traced));
    assertEquals(null, NativeCodec.decode(NativeCodec.encode(9, embed)).traceId());
    assertArrayEquals(NativeCodec.encode(9, embed), NativeCodec.encode(9, "", embed), "an empty id is no id");

    // Cut to 128 bytes without splitting a character: 'é' is two bytes, so 63 of them plus 'x'.
    String longId = "x" + "é".repeat(100);
    String cut = NativeCodec.decode(NativeCodec.encode(1, longId, new NativeMessage.Ping())).traceId();
    assertEquals("x" + "é".repeat(63), cut);

    ByteBuffer tooLong = header(NativeMessage.Ping.TYPE, 3, 4 + 129);
    tooLong.putShort(6, (short) NativeCodec.FLAG_TRACE).putInt(129).put("a".repeat(129).getBytes());
    assertMessage(tooLong.array(), "trace id of 129 bytes (1 to 128 allowed)");
    ByteBuffer empty = header(NativeMessage.Ping.TYPE, 3, 4);
    empty.putShort(6, (short) NativeCodec.FLAG_TRACE).putInt(0);
    assertMessage(empty.array(), "trace id of 0 bytes");
    ByteBuffer cutOff = header(NativeMessage.Ping.TYPE, 3, 6);
    cutOff.putShort(6, (short) NativeCodec.FLAG_TRACE).putInt(10).put((byte) 'a').put((byte) 'b');
    assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(cutOff.array()));
  }

  @Test
  void everyTruncationIsRejectedWithAClearMessage() {
    byte[] full = NativeCodec.encode(42, new NativeMessage.Distances(Metric.COSINE, new float[] {1, 2}, TEXTS));
    for (int len = 0; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(cut),
          "prefix of " + len + " bytes");
      String m = e.getMessage();
      assertTrue(m.contains("truncated") || m.contains("magic") || m.contains("left"), m);
      if (len >= NativeCodec.HEADER_BYTES) {
        assertEquals(42, e.requestId(), "request id is still reported for a readable header");
      }
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] full = NativeCodec.encode(3, new NativeMessage.Embed(TEXTS));
    byte[] longer = Arrays.copyOf(full, full.length + 3);
    MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(longer));
    assertTrue(e.getMessage().contains("3 unexpected trailing bytes"), e.getMessage());
  }

  @Test
  void forgedCountsFailWithoutAllocating() {
    // A text count of 2^32-1 in a 24-byte frame must not allocate a list of that size.
    byte[] embed = header(NativeMessage.Embed.TYPE, 9).putInt(-1).array();
    assertMessage(embed, "text count is 4294967295 but only 0 bytes are left");

    ByteBuffer textLen = header(NativeMessage.Embed.TYPE, 9, 12).putInt(1).putInt(Integer.MAX_VALUE);
    assertMessage(textLen.array(), "text 0 length is 2147483647");

    ByteBuffer dims = header(NativeMessage.Distances.TYPE, 9, 5).put((byte) 0).putInt(-1);
    assertMessage(dims.array(), "query dims is 4294967295");

    ByteBuffer reply = header(NativeMessage.EmbedReply.TYPE, 9, 8).putInt(-1).putInt(-1);
    assertMessage(reply.array(), "4294967295 vectors of 4294967295 floats");

    ByteBuffer zeroDims = header(NativeMessage.EmbedReply.TYPE, 9, 8).putInt(1 << 30).putInt(0);
    assertMessage(zeroDims.array(), "vector dims is 0");
  }

  @Test
  void wrongVersionTypeFlagsMetricAndUtf8AreNamed() {
    byte[] v2 = NativeCodec.encode(77, new NativeMessage.Ping());
    v2[4] = 2;
    MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(v2));
    assertTrue(e.getMessage().contains("unsupported frame version 2"), e.getMessage());
    assertEquals(77, e.requestId());

    byte[] type = NativeCodec.encode(1, new NativeMessage.Ping());
    type[5] = 99;
    assertMessage(type, "unknown message type 99");

    byte[] flags = NativeCodec.encode(1, new NativeMessage.Ping());
    flags[6] = 4;
    assertMessage(flags, "unknown flags 0x4");

    byte[] metric = NativeCodec.encode(1, new NativeMessage.Distances(Metric.L2, new float[] {1}, List.of()));
    metric[NativeCodec.HEADER_BYTES] = 9;
    assertMessage(metric, "unknown metric code 9");

    ByteBuffer badUtf8 = header(NativeMessage.Embed.TYPE, 1, 10).putInt(1).putInt(2).put((byte) 0xC3).put((byte) 0x28);
    assertMessage(badUtf8.array(), "text 0 is not valid UTF-8");

    ByteBuffer badCode = header(NativeMessage.Error.TYPE, 1, 6).putShort((short) 999).putInt(0);
    assertMessage(badCode.array(), "unknown error code 999");

    assertMessage(new byte[] {1, 2, 3, 4, 5}, "missing \"LNRC\" magic");
    assertMessage(new byte[] {'L', 'N', 'R', 'C', 1}, "truncated in header");
  }

  @Test
  void randomGarbageAfterAValidHeaderOnlyEverRaisesMalformedFrame() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 5000; i++) {
      int type = 1 + random.nextInt(7);
      byte[] body = new byte[random.nextInt(40)];
      for (int j = 0; j < body.length; j++) {
        // Small bytes make plausible counts, so decoding gets past the first field often.
        body[j] = (byte) (random.nextBoolean() ? random.nextInt(4) : random.nextInt(256));
      }
      byte[] frame = header(type, i, body.length).put(body).array();
      try {
        NativeFrame decoded = NativeCodec.decode(frame);
        assertEquals(i, decoded.requestId());
        assertArrayEquals(frame, NativeCodec.encode(i, decoded.message()), "a frame that decodes re-encodes identically");
      } catch (MalformedFrameException expected) {
        assertEquals(i, expected.requestId());
      }
    }
  }

  @Test
  void requestsOverTheLimitsAreRefusedBeforeTheirTextsAreBuilt() throws MalformedFrameException {
    RequestLimits limits = new RequestLimits(1, 3, 8);
    byte[] fits = NativeCodec.encode(5, new NativeMessage.Embed(List.of("a", "b", "12345678")));
    assertEquals(3, ((NativeMessage.Embed) NativeCodec.decode(fits, limits).message()).texts().size());
    MalformedFrameException many = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(
        NativeCodec.encode(6, new NativeMessage.Embed(List.of("a", "b", "c", "d"))), limits));
    assertTrue(many.getMessage().contains("4 texts, more than this server allows (max-texts 3)"), many.getMessage());
    assertEquals(6, many.requestId());
    MalformedFrameException longText = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(
        NativeCodec.encode(7, new NativeMessage.Distances(Metric.L2, new float[] {1}, List.of("123456789"))), limits));
    assertTrue(longText.getMessage().contains("9 bytes, more than this server allows (max-text-bytes 8)"),
        longText.getMessage());
  }

  @Test
  void messagesValidateTheirOwnShape() {
    assertThrows(IllegalArgumentException.class, () -> new NativeMessage.EmbedReply(2, new float[][] {{1, 2}, {3}}));
    assertThrows(IllegalArgumentException.class, () -> new NativeMessage.Distances(Metric.L2, new float[0], List.of()));
    assertThrows(IllegalArgumentException.class, () -> new NativeMessage.ModelInfo("m", 0));
  }

  private static void assertMessage(byte[] frame, String expected) {
    MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> NativeCodec.decode(frame));
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }

  private static ByteBuffer header(int type, long requestId) {
    return header(type, requestId, 4);
  }

  private static ByteBuffer header(int type, long requestId, int bodyBytes) {
    return ByteBuffer.allocate(NativeCodec.HEADER_BYTES + bodyBytes).order(ByteOrder.LITTLE_ENDIAN)
        .put(NativeCodec.MAGIC).put((byte) 1).put((byte) type).putShort((short) 0).putLong(requestId);
  }
}
