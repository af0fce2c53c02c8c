package io.leann.protocol.wire;

import java.time.Duration;

/**
 * The ZMTP handshake interval of the client sockets that talk to embedding servers.
 *
 * <p>Why: with JeroMQ 0.6, about one new TCP connection in a hundred on loopback stalls in its ZMTP
 * handshake (the server accepts and drops it; the client never notices), and nothing queued on it
 * moves until the handshake times out, after 30 s by default. With the interval cut to a quarter
 * of the wait for a connection's first answer, JeroMQ drops a stalled connection, makes it again
 * and sends what was queued on the new one within that wait (bench {@code ZmqDeadConnections},
 * PERFORMANCE.md section 5b: 31 of 3,000 fresh connections never delivered with the default, none
 * lost at 250 ms, the slowest answered in 448 ms).
 */
public final class ZmqHandshake {
  private ZmqHandshake() {}

  /** The value for {@code ZMQ.Socket.setHandshakeIvl} of a socket whose first answer is awaited {@code wait}. */
  public static int intervalMillis(Duration wait) {
    return (int) Math.max(1, wait.toMillis() / 4);
  }
}
