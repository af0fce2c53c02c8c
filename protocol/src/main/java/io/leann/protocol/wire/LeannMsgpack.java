package io.leann.protocol.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The msgpack frames of the Python LEANN embedding server (reference: its
 * {@code hnsw_embedding_server.py}), so a Python LEANN searcher can use our workers and a Java
 * client can talk to Python workers.
 *
 * <p>Requests carry no type tag; the server tells them apart by shape, in the Python server's
 * order, and {@link #decodeRequest} does the same:
 * <ol>
 *   <li>{@code ["__QUERY_MODEL__"]} is {@link LeannRequest.QueryModel};
 *   <li>a non-empty list of strings is {@link LeannRequest.EmbedTexts};
 *   <li>a pair of lists is {@link LeannRequest.DistancesById}; an id list wrapped once more
 *       ({@code [[[ids]], [q]]}) is unwrapped, as the Python server does defensively;
 *   <li>a list holding one list is {@link LeannRequest.EmbeddingsById};
 *   <li>an empty list, or a flat list of ids, is also {@link LeannRequest.EmbeddingsById} (the
 *       Python server's fallback).
 * </ol>
 * Anything else is rejected with {@link MalformedFrameException}, as is a request over its
 * {@link RequestLimits}, before the over-long list is allocated. A server answers a request it
 * cannot serve with {@link #encodeErrorReply()}, the Python server's own reply to any failure.
 *
 * <p>Replies follow Python's packing: distances and id-based embeddings as float32
 * ({@code use_single_float=True}), text embeddings as float64 ({@code ndarray.tolist()}). Decoding
 * checks every array length against the bytes left, so a forged header cannot force a large
 * allocation. Stateless and thread-safe.
 */
public final class LeannMsgpack {
  /** The control string of the model query. */
  public static final String QUERY_MODEL = "__QUERY_MODEL__";
  private static final byte[] ERROR_REPLY = pack(out -> out.packArrayHeader(2).packArrayHeader(0).packArrayHeader(0));

  /**
   * The {@code [[n, dim], [flat f32...]]} reply to an id-based embedding request.
   *
   * @param count number of vectors
   * @param dims floats per vector
   * @param flat {@code count * dims} floats, row-major
   */
  public record Embeddings(int count, int dims, float[] flat) {
    public Embeddings {
      if (count < 0 || dims < 0 || (long) count * dims != flat.length) {
        throw new IllegalArgumentException(
            count + " x " + dims + " embeddings cannot hold " + flat.length + " floats");
      }
    }
  }

  private LeannMsgpack() {}

  /**
   * Decodes a request by its shape (see the class comment), refusing lists and strings over
   * {@code limits} before allocating them.
   */
  public static LeannRequest decodeRequest(byte[] payload, RequestLimits limits) throws MalformedFrameException {
    return decode(payload, limits, in -> {
      int n = in.arrayHeader("request");
      if (n == 0) {
        return new LeannRequest.EmbeddingsById(List.of());
      }
      return switch (in.nextType()) {
        case STRING -> stringsOrIds(in, n);
        case ARRAY -> nestedRequest(in, n);
        case INTEGER -> new LeannRequest.EmbeddingsById(in.ids(n, "request"));
        default -> throw in.fail("element 0 of the request is " + in.nextType()
            + ", expected a string, an id or a list");
      };
    });
  }

  private static LeannRequest stringsOrIds(Reader in, int n)
      throws IOException, MalformedFrameException {
    // Texts or ids: which cap applies is known once a non-string shows up or the list ends.
    if (n > Math.max(in.limits.maxTexts(), in.limits.maxIds())) {
      throw in.fail("a request of " + n + " elements is over this server's limits (max-texts "
          + in.limits.maxTexts() + ", max-ids " + in.limits.maxIds() + ")");
    }
    List<String> strings = new ArrayList<>(n);
    while (strings.size() < n && in.nextType() == ValueType.STRING) {
      strings.add(in.string("text " + strings.size()));
    }
    if (strings.size() < n) {
      if (n > in.limits.maxIds()) {
        throw in.fail("the request has " + n + " ids, more than this server allows (max-ids "
            + in.limits.maxIds() + ")");
      }
      List<String> ids = new ArrayList<>(strings);
      ids.addAll(in.ids(n - strings.size(), "request"));
      return new LeannRequest.EmbeddingsById(ids);
    }
    if (n == 1 && QUERY_MODEL.equals(strings.getFirst())) {
      return new LeannRequest.QueryModel();
    }
    if (n > in.limits.maxTexts()) {
      throw in.fail("the request has " + n + " texts, more than this server allows (max-texts "
          + in.limits.maxTexts() + ")");
    }
    return new LeannRequest.EmbedTexts(strings);
  }

  private static LeannRequest nestedRequest(Reader in, int n)
      throws IOException, MalformedFrameException {
    if (n > 2) {
      throw in.fail("a request of " + n + " lists matches no LEANN request shape");
    }
    int idCount = in.arrayHeader("id list");
    List<String> ids;
    if (idCount == 1 && in.nextType() == ValueType.ARRAY) {
      ids = in.ids(in.arrayHeader("nested id list"), "id list");
    } else {
      ids = in.ids(idCount, "id list");
    }
    if (n == 1) {
      return new LeannRequest.EmbeddingsById(ids);
    }
    if (in.nextType() != ValueType.ARRAY) {
      throw in.fail("the second element of a distance request is " + in.nextType()
          + ", expected the query vector");
    }
    return new LeannRequest.DistancesById(ids, in.floats(in.arrayHeader("query"), "query"));
  }

  /** Encodes a request as the Python searcher does: numeric ids as integers. */
  public static byte[] encode(LeannRequest request) {
    return pack(out -> {
      switch (request) {
        case LeannRequest.QueryModel q -> out.packArrayHeader(1).packString(QUERY_MODEL);
        case LeannRequest.EmbedTexts t -> {
          out.packArrayHeader(t.texts().size());
          for (String s : t.texts()) {
            out.packString(s);
          }
        }
        case LeannRequest.DistancesById d -> {
          packIds(out.packArrayHeader(2), d.ids());
          packFloats(out, d.query());
        }
        case LeannRequest.EmbeddingsById e -> packIds(out.packArrayHeader(1), e.ids());
      }
    });
  }

  /** {@code [model]}. */
  public static byte[] encodeModelReply(String model) {
    return pack(out -> out.packArrayHeader(1).packString(model));
  }

  /** A list of float64 lists, one per text. */
  public static byte[] encodeTextEmbeddingsReply(float[][] vectors) {
    return pack(out -> {
      out.packArrayHeader(vectors.length);
      for (float[] v : vectors) {
        out.packArrayHeader(v.length);
        for (float f : v) {
          out.packDouble(f);
        }
      }
    });
  }

  /** {@code [[dist f32...]]}. */
  public static byte[] encodeDistancesReply(float[] distances) {
    return pack(out -> packFloats(out.packArrayHeader(1), distances));
  }

  /**
   * {@code [[], []]}: what the Python server sends when a request fails (its catch-all), which its
   * clients reject as a shape mismatch. No message travels: the server logs why.
   */
  public static byte[] encodeErrorReply() {
    return ERROR_REPLY.clone();
  }

  /** Whether {@code payload} is the {@link #encodeErrorReply() error reply}. */
  public static boolean isErrorReply(byte[] payload) {
    return Arrays.equals(payload, ERROR_REPLY);
  }

  /** {@code [[n, dim], [flat f32...]]}. */
  public static byte[] encodeEmbeddingsReply(Embeddings embeddings) {
    return pack(out -> {
      out.packArrayHeader(2).packArrayHeader(2).packInt(embeddings.count()).packInt(embeddings.dims());
      packFloats(out, embeddings.flat());
    });
  }

  /** The model name of a {@code [model]} reply. */
  public static String decodeModelReply(byte[] payload) throws MalformedFrameException {
    return decode(payload, RequestLimits.FRAME_LENGTH_ONLY, in -> {
      int n = in.arrayHeader("model reply");
      if (n < 1) {
        throw in.fail("model reply is empty");
      }
      String model = in.string("model name");
      in.skip(n - 1);
      return model;
    });
  }

  /** The vectors of a text embedding reply. */
  public static float[][] decodeTextEmbeddingsReply(byte[] payload) throws MalformedFrameException {
    return decode(payload, RequestLimits.FRAME_LENGTH_ONLY, in -> {
      float[][] vectors = new float[in.arrayHeader("embedding list")][];
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = in.floats(in.arrayHeader("embedding " + i), "embedding " + i);
      }
      return vectors;
    });
  }

  /** The distances of a {@code [[dist...]]} reply. */
  public static float[] decodeDistancesReply(byte[] payload) throws MalformedFrameException {
    return decode(payload, RequestLimits.FRAME_LENGTH_ONLY, in -> {
      if (in.arrayHeader("distance reply") != 1) {
        throw in.fail("a distance reply holds exactly one list");
      }
      return in.floats(in.arrayHeader("distances"), "distances");
    });
  }

  /** The shape and floats of a {@code [[n, dim], [flat...]]} reply. */
  public static Embeddings decodeEmbeddingsReply(byte[] payload) throws MalformedFrameException {
    return decode(payload, RequestLimits.FRAME_LENGTH_ONLY, in -> {
      if (in.arrayHeader("embedding reply") != 2 || in.arrayHeader("embedding shape") != 2) {
        throw in.fail("an embedding reply is [[n, dim], [floats]]");
      }
      long count = in.integer("n");
      long dims = in.integer("dim");
      float[] flat = in.floats(in.arrayHeader("embedding data"), "embedding data");
      if (count < 0 || dims < 0 || count * dims != flat.length) {
        throw in.fail("embedding reply shape [" + count + ", " + dims + "] does not match its "
            + flat.length + " floats");
      }
      return new Embeddings((int) count, (int) dims, flat);
    });
  }

  private interface Body<T> {
    T read(Reader in) throws MalformedFrameException, IOException;
  }

  private interface Writer {
    void write(MessageBufferPacker out) throws IOException;
  }

  private static <T> T decode(byte[] payload, RequestLimits limits, Body<T> body) throws MalformedFrameException {
    try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(payload)) {
      Reader in = new Reader(unpacker, payload.length, limits);
      T value = body.read(in);
      if (unpacker.hasNext()) {
        throw in.fail((payload.length - unpacker.getTotalReadBytes())
            + " trailing bytes after the message");
      }
      return value;
    } catch (IOException | MessagePackException e) {
      throw new MalformedFrameException("invalid msgpack: " + e.getMessage(), e);
    }
  }

  private static byte[] pack(Writer writer) {
    try (MessageBufferPacker out = MessagePack.newDefaultBufferPacker()) {
      writer.write(out);
      return out.toByteArray();
    } catch (IOException e) {
      // A buffer packer writes to memory; only a bug can get here.
      throw new IllegalStateException("msgpack encoding failed", e);
    }
  }

  private static void packFloats(MessagePacker out, float[] values) throws IOException {
    out.packArrayHeader(values.length);
    for (float f : values) {
      out.packFloat(f);
    }
  }

  private static void packIds(MessagePacker out, List<String> ids) throws IOException {
    out.packArrayHeader(ids.size());
    for (String id : ids) {
      Long numeric = canonicalLong(id);
      if (numeric != null) {
        out.packLong(numeric);
      } else {
        out.packString(id);
      }
    }
  }

  /** The value of {@code id} if it is the canonical decimal form of a long, else null. */
  private static Long canonicalLong(String id) {
    try {
      long v = Long.parseLong(id);
      return Long.toString(v).equals(id) ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Reads values with every length checked against the bytes left in the payload and the limits. */
  private static final class Reader {
    private final MessageUnpacker in;
    private final long size;
    final RequestLimits limits;

    Reader(MessageUnpacker in, long size, RequestLimits limits) {
      this.in = in;
      this.size = size;
      this.limits = limits;
    }

    ValueType nextType() throws IOException, MalformedFrameException {
      if (!in.hasNext()) {
        throw fail("message ends early");
      }
      return in.getNextFormat().getValueType();
    }

    int arrayHeader(String what) throws IOException, MalformedFrameException {
      ValueType type = nextType();
      if (type != ValueType.ARRAY) {
        throw fail(what + " is " + type + ", expected a list");
      }
      int n = in.unpackArrayHeader();
      // Every element takes at least one byte, so a longer list cannot be in this payload.
      if (n > left()) {
        throw fail(what + " claims " + n + " elements but only " + left() + " bytes are left");
      }
      return n;
    }

    String string(String what) throws IOException, MalformedFrameException {
      ValueType type = nextType();
      if (type != ValueType.STRING) {
        throw fail(what + " is " + type + ", expected a string");
      }
      int len = in.unpackRawStringHeader();
      if (len > left()) {
        throw fail(what + " claims " + len + " bytes but only " + left() + " are left");
      }
      if (len > limits.maxTextBytes()) {
        throw fail(what + " has " + len + " bytes, more than this server allows (max-text-bytes "
            + limits.maxTextBytes() + ")");
      }
      try {
        return StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(in.readPayload(len)))
            .toString();
      } catch (CharacterCodingException e) {
        throw fail(what + " is not valid UTF-8");
      }
    }

    long integer(String what) throws IOException, MalformedFrameException {
      ValueType type = nextType();
      if (type != ValueType.INTEGER) {
        throw fail(what + " is " + type + ", expected an integer");
      }
      return in.unpackLong();
    }

    /** {@code n} ids: integers in decimal form, strings as they are. */
    List<String> ids(int n, String what) throws IOException, MalformedFrameException {
      if (n > limits.maxIds()) {
        throw fail(what + " has " + n + " ids, more than this server allows (max-ids " + limits.maxIds() + ")");
      }
      List<String> ids = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ValueType type = nextType();
        if (type == ValueType.INTEGER) {
          ids.add(in.getNextFormat() == MessageFormat.UINT64
              ? in.unpackBigInteger().toString()
              : Long.toString(in.unpackLong()));
        } else if (type == ValueType.STRING) {
          ids.add(string(what + " id " + i));
        } else {
          throw fail(what + " element " + i + " is " + type + ", expected an id");
        }
      }
      return ids;
    }

    /** {@code n} numbers (floats of either width, or integers) as floats. */
    float[] floats(int n, String what) throws IOException, MalformedFrameException {
      float[] out = new float[n];
      for (int i = 0; i < n; i++) {
        ValueType type = nextType();
        if (type == ValueType.FLOAT) {
          out[i] = (float) in.unpackDouble();
        } else if (type == ValueType.INTEGER) {
          out[i] = in.unpackLong();
        } else {
          throw fail(what + " element " + i + " is " + type + ", expected a number");
        }
      }
      return out;
    }

    void skip(int n) throws IOException {
      in.skipValue(n);
    }

    MalformedFrameException fail(String message) {
      return new MalformedFrameException(message);
    }

    private long left() {
      return size - in.getTotalReadBytes();
    }
  }
}
