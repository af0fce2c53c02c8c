package io.leann.protocol.wire;

import io.leann.protocol.Metric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes and decodes native recompute frames, version 1. A frame is one ZMQ message part:
 *
 * <pre>
 * offset size  field
 *  0     4     magic "LNRC"
 *  4     1     version (1)
 *  5     1     message type ({@code NativeMessage.*.TYPE})
 *  6     2     flags, u16: bit 0 {@link #FLAG_TRACE}; any other set bit is rejected
 *  8     8     request id, u64, chosen by the client and echoed in the reply
 * 16     ...   with {@link #FLAG_TRACE}: str trace id (1 to {@value #MAX_TRACE_BYTES} bytes), the
 *              request id of the HTTP request the work serves, for the worker's logs
 *        ...   body, by type:
 *   PING              (empty)
 *   MODEL_INFO        u32 dims, str model id
 *   DISTANCES         u8 metric code ({@link Metric#code()}), u32 dims, f32[dims] query,
 *                     u32 n, n x str text
 *   DISTANCES_REPLY   u32 n, f32[n] distances
 *   EMBED             u32 n, n x str text
 *   EMBED_REPLY       u32 n, u32 dims, f32[n * dims] vectors, row-major
 *   ERROR             u16 error code, str message
 * str = u32 byte length + UTF-8 bytes; every integer and float is little-endian.
 * </pre>
 *
 * <p>Strings are encoded with {@code String.getBytes(UTF_8)}, so an unpaired surrogate travels as
 * {@code '?'}, as with any UTF-8 transport.
 *
 * <p>The header layout is fixed for every version, so a worker can read the request id of a frame
 * from a newer client and answer with an {@code UNSUPPORTED_VERSION} error it will correlate.
 * Decoding is strict: a wrong magic, version, type or flag, a count larger than the bytes left,
 * invalid UTF-8 or trailing bytes all raise {@link MalformedFrameException}; nothing is allocated
 * beyond what the frame's own length can back, and a server decoding requests passes its
 * {@link RequestLimits} to refuse long text lists before they are built. Stateless and thread-safe.
 */
public final class NativeCodec {
  /** The four bytes every native frame starts with ("LNRC", LEANN recompute). */
  public static final byte[] MAGIC = {'L', 'N', 'R', 'C'};
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 16;
  /** Flag: a trace id follows the header. */
  public static final int FLAG_TRACE = 1;
  /** Longest trace id in bytes; longer ones are cut (on a character boundary) when encoding. */
  public static final int MAX_TRACE_BYTES = 128;

  private NativeCodec() {}

  /** Whether {@code payload} starts with the native magic (msgpack never does: see {@link LeannMsgpack}). */
  public static boolean isNative(byte[] payload) {
    if (payload.length < MAGIC.length) {
      return false;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (payload[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /** The request id in the header of a native frame of any version, or 0 if there is no header. */
  public static long peekRequestId(byte[] frame) {
    if (!isNative(frame) || frame.length < HEADER_BYTES) {
      return 0L;
    }
    return ByteBuffer.wrap(frame, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  /** Encodes {@code message} as a version-1 frame carrying {@code requestId} and no trace id. */
  public static byte[] encode(long requestId, NativeMessage message) {
    return encode(requestId, null, message);
  }

  /**
   * Encodes {@code message} as a version-1 frame carrying {@code requestId} and, unless it is null
   * or empty, {@code traceId} (cut to {@value #MAX_TRACE_BYTES} bytes).
   */
  public static byte[] encode(long requestId, String traceId, NativeMessage message) {
    Header h = new Header(requestId, message, trace(traceId));
    return switch (message) {
      case NativeMessage.Ping p -> header(0, h).array();
      case NativeMessage.ModelInfo m -> {
        byte[] id = utf8(m.modelId());
        yield header(4 + 4L + id.length, h).putInt(m.dims()).putInt(id.length).put(id)
            .array();
      }
      case NativeMessage.Distances d -> {
        byte[][] texts = utf8(d.texts());
        ByteBuffer b = header(1 + 4 + 4L * d.query().length + size(texts), h)
            .put((byte) d.metric().code()).putInt(d.query().length);
        putFloats(b, d.query());
        yield putStrings(b, texts).array();
      }
      case NativeMessage.DistancesReply r -> {
        ByteBuffer b = header(4 + 4L * r.distances().length, h)
            .putInt(r.distances().length);
        yield putFloats(b, r.distances()).array();
      }
      case NativeMessage.Embed e -> {
        byte[][] texts = utf8(e.texts());
        yield putStrings(header(size(texts), h), texts).array();
      }
      case NativeMessage.EmbedReply r -> {
        ByteBuffer b = header(8 + 4L * r.vectors().length * r.dims(), h)
            .putInt(r.vectors().length).putInt(r.dims());
        for (float[] v : r.vectors()) {
          putFloats(b, v);
        }
        yield b.array();
      }
      case NativeMessage.Error e -> {
        byte[] text = utf8(e.message());
        yield header(2 + 4L + text.length, h).putShort((short) e.code().code())
            .putInt(text.length).put(text).array();
      }
    };
  }

  /**
   * Decodes a version-1 frame.
   *
   * @throws MalformedFrameException if the frame is not a complete, well-formed version-1 frame;
   *     its {@link MalformedFrameException#requestId()} carries the header's id when it was readable
   */
  public static NativeFrame decode(byte[] frame) throws MalformedFrameException {
    return decode(frame, RequestLimits.FRAME_LENGTH_ONLY);
  }

  /**
   * Decodes a version-1 frame whose texts must fit {@code limits}: a longer text list or text fails
   * before it is allocated.
   *
   * @throws MalformedFrameException as {@link #decode(byte[])}, and for a request over its limits
   */
  public static NativeFrame decode(byte[] frame, RequestLimits limits) throws MalformedFrameException {
    if (!isNative(frame)) {
      throw new MalformedFrameException("not a native recompute frame: missing \"LNRC\" magic");
    }
    if (frame.length < HEADER_BYTES) {
      throw new MalformedFrameException("frame truncated in header: " + frame.length + " of "
          + HEADER_BYTES + " bytes");
    }
    long requestId = peekRequestId(frame);
    FrameReader in = new FrameReader(frame, MAGIC.length, requestId);
    int version = in.u8("version");
    if (version != VERSION) {
      throw in.fail("unsupported frame version " + version + " (this side speaks " + VERSION + ")");
    }
    int type = in.u8("message type");
    int flags = in.u16("flags");
    if ((flags & ~FLAG_TRACE) != 0) {
      throw in.fail("unknown flags 0x" + Integer.toHexString(flags & ~FLAG_TRACE) + " in a version 1 frame");
    }
    in.u32("request id low");
    in.u32("request id high");
    String traceId = null;
    if ((flags & FLAG_TRACE) != 0) {
      traceId = in.string("trace id");
      int bytes = utf8(traceId).length;
      if (bytes == 0 || bytes > MAX_TRACE_BYTES) {
        throw in.fail("trace id of " + bytes + " bytes (1 to " + MAX_TRACE_BYTES + " allowed)");
      }
    }
    NativeMessage message = switch (type) {
      case NativeMessage.Ping.TYPE -> new NativeMessage.Ping();
      case NativeMessage.ModelInfo.TYPE -> modelInfo(in);
      case NativeMessage.Distances.TYPE -> distances(in, limits);
      case NativeMessage.DistancesReply.TYPE -> {
        int n = in.count("distance count", Float.BYTES);
        yield new NativeMessage.DistancesReply(in.floats(n, "distances"));
      }
      case NativeMessage.Embed.TYPE -> new NativeMessage.Embed(strings(in, limits));
      case NativeMessage.EmbedReply.TYPE -> embedReply(in);
      case NativeMessage.Error.TYPE -> error(in);
      default -> throw in.fail("unknown message type " + type);
    };
    in.end("message type " + type);
    return new NativeFrame(requestId, traceId, message);
  }

  private static NativeMessage modelInfo(FrameReader in) throws MalformedFrameException {
    long dims = in.u32("dims");
    if (dims < 1 || dims > Integer.MAX_VALUE) {
      throw in.fail("model dims " + dims + " out of range");
    }
    return new NativeMessage.ModelInfo(in.string("model id"), (int) dims);
  }

  private static NativeMessage distances(FrameReader in, RequestLimits limits) throws MalformedFrameException {
    int code = in.u8("metric");
    Metric metric;
    try {
      metric = Metric.fromCode(code);
    } catch (IllegalArgumentException e) {
      throw in.fail("unknown metric code " + code);
    }
    int dims = in.count("query dims", Float.BYTES);
    if (dims == 0) {
      throw in.fail("query dims is 0");
    }
    float[] query = in.floats(dims, "query");
    return new NativeMessage.Distances(metric, query, strings(in, limits));
  }

  private static NativeMessage embedReply(FrameReader in) throws MalformedFrameException {
    long n = in.u32("vector count");
    long dims = in.u32("vector dims");
    if (dims == 0) {
      throw in.fail("vector dims is 0");
    }
    if (n * dims * Float.BYTES != in.remaining()) {
      throw in.fail(n + " vectors of " + dims + " floats need " + n * dims * Float.BYTES
          + " bytes, the frame has " + in.remaining() + " left");
    }
    float[][] vectors = new float[(int) n][];
    for (int i = 0; i < n; i++) {
      vectors[i] = in.floats((int) dims, "vector " + i);
    }
    return new NativeMessage.EmbedReply((int) dims, vectors);
  }

  private static NativeMessage error(FrameReader in) throws MalformedFrameException {
    int code = in.u16("error code");
    NativeMessage.ErrorCode errorCode = NativeMessage.ErrorCode.fromCode(code);
    if (errorCode == null) {
      throw in.fail("unknown error code " + code);
    }
    return new NativeMessage.Error(errorCode, in.string("error message"));
  }

  private static List<String> strings(FrameReader in, RequestLimits limits) throws MalformedFrameException {
    int n = in.count("text count", Integer.BYTES);
    if (n > limits.maxTexts()) {
      throw in.fail("the request has " + n + " texts, more than this server allows (max-texts "
          + limits.maxTexts() + ")");
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(in.string("text " + i, limits.maxTextBytes()));
    }
    return out;
  }

  /** What the header of one frame holds; {@code trace} is the UTF-8 trace id, or null. */
  private record Header(long requestId, NativeMessage message, byte[] trace) {}

  /**
   * A buffer sized for the header, the trace id and {@code bodyBytes}, with the header and the
   * trace id already written.
   */
  private static ByteBuffer header(long bodyBytes, Header h) {
    long traceBytes = h.trace() == null ? 0 : 4 + h.trace().length;
    if (bodyBytes > Integer.MAX_VALUE - HEADER_BYTES - traceBytes) {
      throw new IllegalArgumentException(
          "message of " + bodyBytes + " bytes does not fit in one frame");
    }
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + (int) (traceBytes + bodyBytes))
        .order(ByteOrder.LITTLE_ENDIAN).put(MAGIC).put((byte) VERSION).put((byte) h.message().type())
        .putShort((short) (h.trace() == null ? 0 : FLAG_TRACE)).putLong(h.requestId());
    return h.trace() == null ? b : b.putInt(h.trace().length).put(h.trace());
  }

  /** The UTF-8 bytes of {@code traceId}, cut to {@link #MAX_TRACE_BYTES} on a character boundary; null for none. */
  private static byte[] trace(String traceId) {
    if (traceId == null || traceId.isEmpty()) {
      return null;
    }
    byte[] bytes = utf8(traceId);
    if (bytes.length <= MAX_TRACE_BYTES) {
      return bytes;
    }
    int end = MAX_TRACE_BYTES;
    while ((bytes[end] & 0xC0) == 0x80) {
      end--;
    }
    return Arrays.copyOf(bytes, end);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] utf8(List<String> texts) {
    byte[][] out = new byte[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = utf8(texts.get(i));
    }
    return out;
  }

  /** Bytes of a u32 count followed by length-prefixed strings. */
  private static long size(byte[][] strings) {
    long size = 4;
    for (byte[] s : strings) {
      size += 4 + s.length;
    }
    return size;
  }

  private static ByteBuffer putStrings(ByteBuffer b, byte[][] strings) {
    b.putInt(strings.length);
    for (byte[] s : strings) {
      b.putInt(s.length).put(s);
    }
    return b;
  }

  private static ByteBuffer putFloats(ByteBuffer b, float[] values) {
    b.asFloatBuffer().put(values);
    return b.position(b.position() + values.length * Float.BYTES);
  }
}
