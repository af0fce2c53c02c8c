package io.leann.protocol.wire;

/**
 * The most a recompute request may ask for, enforced by the request decoders ({@link
 * LeannMsgpack#decodeRequest}, {@link NativeCodec#decode(byte[], RequestLimits)}) before they
 * allocate per element: a list longer than its cap, or a string longer than {@code maxTextBytes},
 * fails decoding with a {@link MalformedFrameException} naming the cap. The frame's own length
 * bounds the rest (every count is also checked against the bytes left).
 *
 * @param maxIds passage ids in one id-based request (the Python LEANN's distance and embedding
 *     requests)
 * @param maxTexts texts in one request that carries texts (native requests, the LEANN text
 *     embedding request)
 * @param maxTextBytes UTF-8 bytes of one text, or of one id sent as a string
 */
public record RequestLimits(int maxIds, int maxTexts, int maxTextBytes) {

  /** No cap beyond the frame's own length: for decoding replies, which this side asked for. */
  public static final RequestLimits FRAME_LENGTH_ONLY =
      new RequestLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);

  public RequestLimits {
    if (maxIds < 1 || maxTexts < 1 || maxTextBytes < 1) {
      throw new IllegalArgumentException("request limits must be positive: max-ids " + maxIds
          + ", max-texts " + maxTexts + ", max-text-bytes " + maxTextBytes);
    }
  }
}
