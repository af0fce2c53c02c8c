package io.leann.embed.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.leann.protocol.wire.MalformedFrameException;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeFrame;
import io.leann.protocol.wire.NativeMessage;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * A DEALER client for tests: sends {@code [empty][payload]}, the envelope {@link RecomputeServer}
 * documents, and expects {@code [empty][reply]}. Unanswered requests are sent again on a fresh
 * socket (the "lazy pirate" pattern): JeroMQ 0.6 occasionally leaves a new connection without its
 * handshake, and only a new socket gets past that. One thread at a time.
 */
final class NativeTestClient implements AutoCloseable {
  private static final int TRIES = 3;
  private static final int TIMEOUT_MS = 2_000;

  private final ZContext ctx;
  private final String endpoint;
  private ZMQ.Socket socket;

  NativeTestClient(ZContext ctx, String endpoint) {
    this.ctx = ctx;
    this.endpoint = endpoint;
    this.socket = open(ctx, SocketType.DEALER, endpoint);
  }

  static ZMQ.Socket open(ZContext ctx, SocketType type, String endpoint) {
    ZMQ.Socket s = ctx.createSocket(type);
    s.setLinger(0);
    s.setReceiveTimeOut(TIMEOUT_MS);
    s.connect(endpoint);
    return s;
  }

  NativeFrame call(long requestId, NativeMessage message) {
    NativeFrame reply;
    try {
      reply = NativeCodec.decode(callRaw(NativeCodec.encode(requestId, message)));
    } catch (MalformedFrameException e) {
      throw new AssertionError("server sent a malformed frame: " + e.getMessage(), e);
    }
    assertEquals(requestId, reply.requestId(), "reply correlates with its request");
    return reply;
  }

  byte[] callRaw(byte[] payload) {
    for (int i = 0; i < TRIES; i++) {
      socket.sendMore(new byte[0]);
      socket.send(payload);
      ZMsg reply = ZMsg.recvMsg(socket);
      if (reply != null) {
        assertEquals(2, reply.size(), "reply is [empty][payload]");
        assertEquals(0, reply.getFirst().size());
        return reply.getLast().getData();
      }
      socket.close();
      socket = open(ctx, SocketType.DEALER, endpoint);
    }
    return fail("no reply from " + endpoint + " in " + TRIES + " tries of " + TIMEOUT_MS + " ms");
  }

  @Override
  public void close() {
    socket.close();
  }
}
