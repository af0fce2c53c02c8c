package io.leann.protocol.wire;

/**
 * A recompute frame could not be decoded: truncated, oversized for its own length, of an unknown
 * version or type, or otherwise not what the protocol allows. The message says which field failed
 * and why, so it can be sent back to the peer verbatim.
 *
 * <p>Checked on purpose: a server must answer every request, so it has to handle this case rather
 * than let it escape the socket loop.
 */
public final class MalformedFrameException extends Exception {
  private final long requestId;

  public MalformedFrameException(String message) {
    this(message, 0L);
  }

  public MalformedFrameException(String message, long requestId) {
    super(message);
    this.requestId = requestId;
  }

  public MalformedFrameException(String message, Throwable cause) {
    super(message, cause);
    this.requestId = 0L;
  }

  /** Request id read from the header before decoding failed, or 0 if the header itself was bad. */
  public long requestId() {
    return requestId;
  }
}
