package io.leann.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked little-endian reads from one native frame. Every read names the field it reads,
 * so a truncated or inconsistent frame fails with a message that says where; every count is
 * checked against the bytes left before anything is allocated, so a forged count cannot make the
 * decoder allocate more than the frame's own size. One frame, one thread.
 */
final class FrameReader {
  private final ByteBuffer buf;
  private final long requestId;

  FrameReader(byte[] frame, int offset, long requestId) {
    this.buf = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
    this.buf.position(offset);
    this.requestId = requestId;
  }

  int remaining() {
    return buf.remaining();
  }

  int u8(String field) throws MalformedFrameException {
    need(1, field);
    return buf.get() & 0xFF;
  }

  int u16(String field) throws MalformedFrameException {
    need(2, field);
    return buf.getShort() & 0xFFFF;
  }

  long u32(String field) throws MalformedFrameException {
    need(4, field);
    return buf.getInt() & 0xFFFF_FFFFL;
  }

  /**
   * A u32 count of items that take at least {@code minItemBytes} each, checked against the bytes
   * left in the frame.
   */
  int count(String field, int minItemBytes) throws MalformedFrameException {
    long n = u32(field);
    if (n * minItemBytes > buf.remaining()) {
      throw fail(field + " is " + n + " but only " + buf.remaining()
          + " bytes are left, room for at most " + buf.remaining() / minItemBytes);
    }
    return (int) n;
  }

  float[] floats(int n, String field) throws MalformedFrameException {
    need((long) n * Float.BYTES, field);
    float[] out = new float[n];
    buf.asFloatBuffer().get(out);
    buf.position(buf.position() + n * Float.BYTES);
    return out;
  }

  /** A u32 byte length followed by that many bytes of strict UTF-8. */
  String string(String field) throws MalformedFrameException {
    return string(field, Integer.MAX_VALUE);
  }

  /** {@link #string(String)}, failing before decoding if it is longer than {@code maxBytes}. */
  String string(String field, int maxBytes) throws MalformedFrameException {
    int len = count(field + " length", 1);
    if (len > maxBytes) {
      throw fail(field + " has " + len + " bytes, more than this server allows (max-text-bytes " + maxBytes + ")");
    }
    int start = buf.position();
    buf.position(start + len);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(buf.slice(start, len))
          .toString();
    } catch (CharacterCodingException e) {
      throw fail(field + " is not valid UTF-8");
    }
  }

  /** Fails if any byte is left: a frame longer than its content is as suspect as a short one. */
  void end(String what) throws MalformedFrameException {
    if (buf.hasRemaining()) {
      throw fail(what + " has " + buf.remaining() + " unexpected trailing bytes");
    }
  }

  MalformedFrameException fail(String message) {
    return new MalformedFrameException(message, requestId);
  }

  private void need(long bytes, String field) throws MalformedFrameException {
    if (bytes > buf.remaining()) {
      throw fail("frame truncated in " + field + ": needs " + bytes + " bytes, " + buf.remaining()
          + " left");
    }
  }
}
