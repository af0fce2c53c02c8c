package io.leann.bench.embed;

import com.typesafe.config.ConfigFactory;
import io.leann.embed.worker.AsyncEmbedder;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.Metric;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeMessage;
import io.leann.shard.recompute.ZmqRecomputer;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * How often JeroMQ 0.6 stalls the ZMTP handshake of a new loopback connection (the worker accepts
 * and drops it, the client never notices, and nothing sent on it moves), and what the recomputer
 * makes of it. Against one real {@link RecomputeServer} (with an embedder that returns constant
 * vectors, so only the transport is measured), three passes over {@code n} fresh connections:
 *
 * <ol>
 *   <li>raw DEALER, JeroMQ's defaults: one PING right after {@code connect}, up to 2 s for the
 *       answer; the share never answered is the stall rate (the default handshake interval is 30 s);
 *   <li>raw DEALER with the ZMTP handshake interval at 250 ms, as the recomputer sets it: stalled
 *       connections are made again and their PING delivered late, never lost;
 *   <li>a fresh {@link ZmqRecomputer} per call asking for one embedding: every call must succeed
 *       without a request timing out.
 * </ol>
 *
 * <p>usage: {@code ZmqDeadConnections [connections per pass, default 2000]}
 */
public final class ZmqDeadConnections {
  private static final int DIMS = 8;

  private ZmqDeadConnections() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    AsyncEmbedder constant = new AsyncEmbedder() {
      @Override
      public CompletionStage<float[][]> embed(List<String> texts) {
        float[][] out = new float[texts.size()][DIMS];
        for (float[] v : out) {
          v[0] = 1;
        }
        return CompletableFuture.completedFuture(out);
      }

      @Override
      public int dimensions() {
        return DIMS;
      }

      @Override
      public String modelId() {
        return "constant";
      }
    };
    ServerSettings settings = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:*");
    try (RecomputeServer server = RecomputeServer.start(settings, constant);
        ZContext context = new ZContext(1);
        Selector selector = Selector.open()) {
      System.out.printf(Locale.ROOT, "== JeroMQ dead connections on loopback, %d fresh connections per pass ==%n", n);
      for (int handshakeMillis : new int[] {0, 250}) {
        int dead = 0;
        int late = 0;
        long slowest = 0;
        for (int i = 0; i < n; i++) {
          ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
          socket.setLinger(0);
          if (handshakeMillis > 0) {
            socket.setHandshakeIvl(handshakeMillis);
          }
          socket.connect(server.endpoint());
          long t0 = System.nanoTime();
          socket.sendMore(new byte[0]);
          socket.send(NativeCodec.encode(i, new NativeMessage.Ping()), 0);
          ZMQ.PollItem[] item = {new ZMQ.PollItem(socket, ZMQ.Poller.POLLIN)};
          ZMQ.poll(selector, item, 2000);
          ZMsg reply = item[0].isReadable() ? ZMsg.recvMsg(socket, ZMQ.DONTWAIT) : null;
          long nanos = System.nanoTime() - t0;
          if (reply == null) {
            dead++;
          } else {
            reply.destroy();
            slowest = Math.max(slowest, nanos);
            late += nanos > 200_000_000L ? 1 : 0;
          }
          socket.close();
        }
        System.out.printf(Locale.ROOT, "raw DEALER, ZMTP handshake interval %s: %d of %d PINGs never answered"
            + " within 2 s, %d answered after 200 ms, slowest answer %.0f ms%n",
            handshakeMillis == 0 ? "30 s (default)" : handshakeMillis + " ms", dead, n, late, slowest / 1e6);
      }

      ZmqRecomputer.Options options = ZmqRecomputer.Options.defaults();
      long failed = 0;
      long replaced = 0;
      long retried = 0;
      long slowest = 0;
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        try (ZmqRecomputer r = new ZmqRecomputer(context, List.of(server.endpoint()), node -> "passage " + node,
            Metric.INNER_PRODUCT, options)) {
          r.embeddings(new int[] {i}, 1);
          replaced += r.stats().deadConnections();
          retried += r.stats().retries();
        } catch (RuntimeException e) {
          failed++;
        }
        slowest = Math.max(slowest, System.nanoTime() - t0);
      }
      System.out.printf(Locale.ROOT, "ZmqRecomputer (handshake %d ms): %d of %d calls failed, %d dead connections"
          + " (unanswered PINGs), %d requests retried, slowest call %.0f ms%n", options.handshakeTimeout().toMillis(),
          failed, n, replaced, retried, slowest / 1e6);
    }
  }
}
