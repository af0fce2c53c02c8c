package io.leann.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

class LeannMsgpackTest {
  private static final RequestLimits LIMITS = new RequestLimits(100, 10, 64);

  private static LeannRequest decode(byte[] payload) throws MalformedFrameException {
    return LeannMsgpack.decodeRequest(payload, LIMITS);
  }

  private interface Packing {
    void pack(MessageBufferPacker p) throws IOException;
  }

  /** Bytes as Python's msgpack.packb would produce them for the structure written by {@code body}. */
  private static byte[] packed(Packing body) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      body.pack(p);
      return p.toByteArray();
    }
  }

  @Test
  void requestsAreRecognisedByShapeAsThePythonServerDoes() throws Exception {
    assertInstanceOf(LeannRequest.QueryModel.class,
        decode(packed(p -> p.packArrayHeader(1).packString("__QUERY_MODEL__"))));

    var texts = decode(packed(p -> p.packArrayHeader(2).packString("a query").packString("__QUERY_MODEL__")));
    assertEquals(new LeannRequest.EmbedTexts(List.of("a query", "__QUERY_MODEL__")), texts);

    // [[ids], [query f32]] with numpy-style float32 and a float64 and an int in the query
    var distances = (LeannRequest.DistancesById) decode(packed(p -> {
      p.packArrayHeader(2).packArrayHeader(3).packInt(0).packInt(17).packLong(1L << 40);
      p.packArrayHeader(3).packFloat(0.25f).packDouble(-1.5).packInt(2);
    }));
    assertEquals(List.of("0", "17", "1099511627776"), distances.ids());
    assertArrayEquals(new float[] {0.25f, -1.5f, 2f}, distances.query());

    var nested = (LeannRequest.DistancesById) decode(packed(p -> {
      p.packArrayHeader(2).packArrayHeader(1).packArrayHeader(2).packInt(4).packInt(5);
      p.packArrayHeader(1).packFloat(1f);
    }));
    assertEquals(List.of("4", "5"), nested.ids());

    assertEquals(new LeannRequest.EmbeddingsById(List.of("3", "x")), decode(
        packed(p -> p.packArrayHeader(1).packArrayHeader(2).packInt(3).packString("x"))));
    assertEquals(new LeannRequest.EmbeddingsById(List.of("1", "2")), decode(
        packed(p -> p.packArrayHeader(2).packInt(1).packInt(2))));
    assertEquals(new LeannRequest.EmbeddingsById(List.of()), decode(packed(p -> p.packArrayHeader(0))));
    assertEquals(new LeannRequest.EmbeddingsById(List.of("a", "7")), decode(
        packed(p -> p.packArrayHeader(2).packString("a").packInt(7))));
    assertEquals(new LeannRequest.EmbeddingsById(List.of("18446744073709551615")), decode(
        packed(p -> p.packArrayHeader(1).packArrayHeader(1).packBigInteger(new java.math.BigInteger("18446744073709551615")))));
  }

  @Test
  void requestsRoundTripWithIntegerIds() throws Exception {
    List<LeannRequest> requests = List.of(
        new LeannRequest.QueryModel(),
        new LeannRequest.EmbedTexts(List.of("ünïcode", "two")),
        new LeannRequest.EmbeddingsById(List.of("0", "12", "custom-id", "007")));
    for (LeannRequest r : requests) {
      assertEquals(r, decode(LeannMsgpack.encode(r)));
    }
    var d = new LeannRequest.DistancesById(List.of("5", "6"), new float[] {1.5f, -2f});
    byte[] bytes = LeannMsgpack.encode(d);
    var back = (LeannRequest.DistancesById) decode(bytes);
    assertEquals(d.ids(), back.ids());
    assertArrayEquals(d.query(), back.query());
    // ids travel as msgpack integers, like the Python searcher's FAISS labels
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
      u.unpackArrayHeader();
      u.unpackArrayHeader();
      assertEquals(5, u.unpackInt());
    }
  }

  @Test
  void repliesHaveThePythonShapesAndWidths() throws Exception {
    assertEquals("model-x", LeannMsgpack.decodeModelReply(LeannMsgpack.encodeModelReply("model-x")));

    float[] dist = {0.5f, 1e9f, -3f};
    byte[] distBytes = LeannMsgpack.encodeDistancesReply(dist);
    assertArrayEquals(dist, LeannMsgpack.decodeDistancesReply(distBytes));
    assertEquals(packed(p -> p.packArrayHeader(1).packArrayHeader(3).packFloat(0.5f).packFloat(1e9f).packFloat(-3f)).length,
        distBytes.length, "distances are float32, as use_single_float=True packs them");

    float[][] vectors = {{1f, 2f}, {3f, 4.5f}};
    byte[] textBytes = LeannMsgpack.encodeTextEmbeddingsReply(vectors);
    assertArrayEquals(vectors, LeannMsgpack.decodeTextEmbeddingsReply(textBytes));
    assertEquals(1 + 2 * (1 + 2 * 9), textBytes.length, "text embeddings are float64, as ndarray.tolist() packs them");

    var emb = new LeannMsgpack.Embeddings(2, 3, new float[] {1, 2, 3, 0, 0, 0});
    var back = LeannMsgpack.decodeEmbeddingsReply(LeannMsgpack.encodeEmbeddingsReply(emb));
    assertEquals(2, back.count());
    assertEquals(3, back.dims());
    assertArrayEquals(emb.flat(), back.flat());
  }

  @Test
  void malformedPayloadsAreRejectedWithReasons() throws Exception {
    assertRejected(new byte[] {(byte) 0xc1}, "invalid msgpack");
    assertRejected(packed(p -> p.packString("not a list")), "expected a list");
    assertRejected(packed(p -> p.packArrayHeader(1).packMapHeader(0)), "expected a string, an id or a list");
    assertRejected(packed(p -> p.packArrayHeader(3).packArrayHeader(0).packArrayHeader(0).packArrayHeader(0)), "3 lists");
    assertRejected(packed(p -> p.packArrayHeader(2).packArrayHeader(0).packInt(3)), "expected the query vector");
    assertRejected(packed(p -> p.packArrayHeader(2).packArrayHeader(1).packInt(1).packArrayHeader(1).packString("x")),
        "query element 0 is STRING");
    assertRejected(packed(p -> p.packArrayHeader(1).packArrayHeader(1).packFloat(1.5f)), "expected an id");
    assertRejected(packed(p -> p.packArrayHeader(1).packString("x").packString("trailing")), "trailing bytes");
    assertRejected(packed(p -> p.packArrayHeader(1).packRawStringHeader(2).writePayload(new byte[] {(byte) 0xC3, 0x28})),
        "not valid UTF-8");
  }

  @Test
  void forgedLengthsFailWithoutAllocating() throws Exception {
    // array32 header claiming 2^31-1 elements, then nothing
    assertRejected(new byte[] {(byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "claims 2147483647 elements");
    // str32 header claiming 2^31-1 bytes inside a one-element list
    assertRejected(new byte[] {(byte) 0x91, (byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}, "claims 2147483647 bytes");
  }

  @Test
  void requestsOverTheLimitsAreRefusedNamingTheCap() throws Exception {
    List<String> ids = java.util.Collections.nCopies(101, "7");
    assertEquals(100, ((LeannRequest.EmbeddingsById) decode(LeannMsgpack.encode(
        new LeannRequest.EmbeddingsById(ids.subList(0, 100))))).ids().size(), "exactly max-ids is fine");
    assertRejected(LeannMsgpack.encode(new LeannRequest.EmbeddingsById(ids)), "101 ids, more than this server allows (max-ids 100)");
    assertRejected(LeannMsgpack.encode(new LeannRequest.DistancesById(ids, new float[] {1})), "(max-ids 100)");
    assertRejected(packed(p -> {
      p.packArrayHeader(101);
      for (int i = 0; i < 101; i++) {
        p.packInt(i);
      }
    }), "(max-ids 100)");
    assertRejected(LeannMsgpack.encode(new LeannRequest.EmbedTexts(java.util.Collections.nCopies(11, "t"))),
        "11 texts, more than this server allows (max-texts 10)");
    assertRejected(LeannMsgpack.encode(new LeannRequest.EmbedTexts(List.of("x".repeat(65)))),
        "65 bytes, more than this server allows (max-text-bytes 64)");
    assertRejected(LeannMsgpack.encode(new LeannRequest.EmbeddingsById(List.of("i".repeat(65)))), "(max-text-bytes 64)");
    // a list of strings followed by ids: the id cap applies to the whole list
    assertRejected(packed(p -> {
      p.packArrayHeader(101).packString("a");
      for (int i = 0; i < 100; i++) {
        p.packInt(i);
      }
    }), "max-ids 100)");
  }

  @Test
  void theErrorReplyIsThePythonServersCatchAll() throws Exception {
    assertArrayEquals(packed(p -> p.packArrayHeader(2).packArrayHeader(0).packArrayHeader(0)), LeannMsgpack.encodeErrorReply());
    assertTrue(LeannMsgpack.isErrorReply(LeannMsgpack.encodeErrorReply()));
    assertFalse(LeannMsgpack.isErrorReply(LeannMsgpack.encodeDistancesReply(new float[0])));
  }

  @Test
  void everyTruncationOfAValidRequestIsRejected() throws Exception {
    byte[] full = LeannMsgpack.encode(new LeannRequest.DistancesById(List.of("1", "2", "3"), new float[] {1, 2, 3, 4}));
    for (int len = 0; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      assertThrows(MalformedFrameException.class, () -> decode(cut), "prefix of " + len);
    }
  }

  @Test
  void msgpackRequestsNeverLookNative() {
    for (LeannRequest r : List.of(new LeannRequest.QueryModel(), new LeannRequest.EmbedTexts(List.of("LNRC")),
        new LeannRequest.EmbeddingsById(List.of()))) {
      assertFalse(NativeCodec.isNative(LeannMsgpack.encode(r)));
    }
  }

  @Test
  void embeddingsShapeMustMatchItsData() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> new LeannMsgpack.Embeddings(2, 2, new float[3]));
    byte[] wrong = packed(p -> p.packArrayHeader(2).packArrayHeader(2).packInt(2).packInt(2).packArrayHeader(1).packFloat(1));
    MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> LeannMsgpack.decodeEmbeddingsReply(wrong));
    assertTrue(e.getMessage().contains("shape [2, 2]"), e.getMessage());
  }

  private static void assertRejected(byte[] payload, String expected) {
    MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> decode(payload));
    assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
  }
}
