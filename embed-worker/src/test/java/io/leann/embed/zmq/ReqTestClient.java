package io.leann.embed.zmq;

import static org.junit.jupiter.api.Assertions.fail;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A REQ client, as the Python LEANN searcher uses: single-frame requests and replies. A request
 * left unanswered is sent again on a fresh socket, since REQ cannot send twice in a row and JeroMQ
 * 0.6 occasionally leaves a new connection without its handshake. One thread at a time.
 */
final class ReqTestClient implements AutoCloseable {
  private static final int TRIES = 3;

  private final ZContext ctx;
  private final String endpoint;
  private ZMQ.Socket socket;

  ReqTestClient(ZContext ctx, String endpoint) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.socket = NativeTestClient.open(ctx, SocketType.REQ, endpoint);
  }

  byte[] call(byte[] payload) {
    for (int i = 0; i < TRIES; i++) {
      socket.send(payload);
      byte[] reply = socket.recv();
      if (reply != null) {
        return reply;
      }
      socket.close();
      socket = NativeTestClient.open(ctx, SocketType.REQ, endpoint);
    }
    return fail("no reply from " + endpoint + " in " + TRIES + " tries");
  }

  @Override
  public void close() {
    socket.close();
  }
}
