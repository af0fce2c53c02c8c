package io.leann.embed.zmq;

import io.leann.embed.worker.AsyncEmbedder;
import io.leann.protocol.wire.ZmqCurve;
import java.net.URI;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZAuth;
import org.zeromq.ZContext;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * The recompute endpoint of an embed worker: a ZMQ ROUTER socket answering native frames and the
 * Python LEANN's msgpack frames on the same port (a {@link RecomputeHandler} tells them apart).
 *
 * <p>Framing: a request is a multipart message whose last part is the payload; every part before
 * it is the envelope, echoed unchanged before the reply. So a REQ client (the Python searcher's),
 * which ROUTER sees as {@code [identity][empty][payload]}, gets {@code [empty][reply]} as REQ
 * expects, and a DEALER client must send {@code [empty][payload]} and receives
 * {@code [empty][reply]}, the REQ-compatible envelope our native client uses. A DEALER sending a
 * bare {@code [payload]} would get a bare {@code [reply]}.
 *
 * <p>Trust: requests over {@link ServerSettings#maxMessageBytes()} are refused by ZMQ unread,
 * and the {@link RecomputeHandler} refuses any other over the settings' limits before allocating
 * for it. With {@link ServerSettings#curve()} keys the socket is a CURVE server and a ZAuth handler
 * admits only the allowed client keys; without them it binds loopback endpoints only.
 *
 * <p>Threading: one dedicated thread owns the ROUTER and every other socket and is never
 * interrupted (JeroMQ is not interrupt-safe). It hands requests to the embed pool without waiting;
 * completions, on whatever thread they finish, queue their reply and wake the socket thread through
 * an inproc PAIR socket, whose sending end they share under a lock. Stopping sets a flag and wakes
 * the thread, which closes its context on the way out; the poll interval bounds how long that takes
 * even without the wake-up. Passage lookups for the id-based msgpack requests run on the socket
 * thread: one mmapped row each, cheaper than a hand-off. Native requests carry their texts.
 *
 * <p>Instances are thread-safe; {@link #close()} is idempotent.
 */
public final class RecomputeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RecomputeServer.class);
  private static final int MAX_READS_PER_WAKE = 256;
  private static final byte[] WAKE = {0};
  private static final long START_TIMEOUT_SECONDS = 10;
  private static final String ZAP_DOMAIN = "leann-recompute";

  private record Outgoing(ZMsg envelope, byte[] payload) {}

  private final ServerSettings settings;
  private final RecomputeHandler handler;
  private final String wakeEndpoint = "inproc://leann-recompute-wake-" + UUID.randomUUID();
  private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private final Object signalLock = new Object();
  private final CompletableFuture<String> bound = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;
  /** Sending end of the wake-up pair, shared under {@link #signalLock}; null once the thread ends. */
  private ZMQ.Socket signal;
  private volatile String boundEndpoint;

  private RecomputeServer(ServerSettings settings, RecomputeHandler handler) {
    this.settings = settings;
    this.handler = handler;
    this.thread = new Thread(this::run, "leann-recompute-server");
    this.thread.setDaemon(true);
  }

  /** Starts a server for native frames only; id-based msgpack requests find no passages. */
  public static RecomputeServer start(ServerSettings settings, AsyncEmbedder embedder) {
    return start(settings, embedder, null);
  }

  /**
   * Binds {@code settings.endpoint()} and starts serving. Returns once the socket is bound.
   *
   * @param leann passages and metric for the Python LEANN's id-based requests, or null
   * @throws IllegalStateException if the endpoint cannot be bound, or is not a loopback one and
   *     {@code settings} have no CURVE keys
   */
  public static RecomputeServer start(ServerSettings settings, AsyncEmbedder embedder, LeannBinding leann) {
    if (settings.curve() == null && !settings.loopback()) {
      throw new IllegalStateException("the recompute server endpoint " + settings.endpoint()
          + " is reachable from other hosts, which needs CURVE authentication: set "
          + ServerSettings.CURVE_SETTINGS + " (`leann keygen` makes key pairs), or bind a loopback address");
    }
    RecomputeServer server = new RecomputeServer(settings,
        new RecomputeHandler(embedder, leann, settings.limits(), settings.maxReplyBytes()));
    server.thread.start();
    try {
      server.boundEndpoint = server.bound.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      server.close();
      throw new IllegalStateException("cannot bind recompute server to " + settings.endpoint() + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      server.close();
      throw new IllegalStateException("recompute server did not bind " + settings.endpoint()
          + " within " + START_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.close();
      throw new IllegalStateException("interrupted while starting the recompute server", e);
    }
    log.info("recompute server listening on {}{}", server.boundEndpoint, settings.curve() == null ? ""
        : " (CURVE, " + settings.curve().allowedClients().size() + " allowed client keys)");
    return server;
  }

  /** The endpoint actually bound, with the chosen port, e.g. {@code tcp://127.0.0.1:40123}. */
  public String endpoint() {
    return boundEndpoint;
  }

  /** The TCP port actually bound. */
  public int port() {
    return URI.create(boundEndpoint).getPort();
  }

  /**
   * Stops serving: replies still being computed are dropped, and clients waiting for them time out
   * and retry elsewhere. Waits for the socket thread to release the port.
   */
  @Override
  public void close() {
    running = false;
    wake();
    try {
      thread.join(settings.pollInterval().toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("recompute server thread on {} did not stop in time", boundEndpoint);
    }
  }

  private void run() {
    try (ZContext ctx = new ZContext(1); ZAuth auth = zapHandler(ctx)) {
      try {
        serve(ctx);
      } catch (ZMQException | IllegalStateException e) {
        if (!bound.completeExceptionally(e) && running) {
          log.error("recompute server on {} failed", boundEndpoint, e);
        }
      } finally {
        synchronized (signalLock) {
          signal = null;
        }
      }
    }
  }

  /**
   * The ZAP handler admitting only the allowed client keys, or null without CURVE. Needed: a CURVE
   * socket whose context has no ZAP handler admits every client key pair.
   */
  private ZAuth zapHandler(ZContext ctx) {
    ServerSettings.Curve curve = settings.curve();
    return curve == null ? null
        : new ZAuth(ctx, "leann-recompute-zap", Map.of(ZMQ.Socket.Mechanism.CURVE.name(),
            new AllowedClientKeys(curve.allowedClients())));
  }

  private void serve(ZContext ctx) {
    ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
    router.setLinger(0);
    router.setMaxMsgSize(settings.maxMessageBytes());
    if (settings.curve() != null) {
      router.setZapDomain(ZAP_DOMAIN);
      router.setCurveServer(true);
      router.setCurveSecretKey(ZmqCurve.bytes(settings.curve().secretKey()));
    }
    router.bind(settings.endpoint());
    ZMQ.Socket wake = ctx.createSocket(SocketType.PAIR);
    wake.bind(wakeEndpoint);
    ZMQ.Socket sender = ctx.createSocket(SocketType.PAIR);
    sender.connect(wakeEndpoint);
    synchronized (signalLock) {
      signal = sender;
    }
    ZMQ.Poller poller = ctx.createPoller(2);
    int routerIndex = poller.register(router, ZMQ.Poller.POLLIN);
    int wakeIndex = poller.register(wake, ZMQ.Poller.POLLIN);
    bound.complete(router.getLastEndpoint());

    long pollMillis = settings.pollInterval().toMillis();
    while (running) {
      poller.poll(pollMillis);
      if (poller.pollin(wakeIndex)) {
        while (wake.recv(ZMQ.DONTWAIT) != null) {
          // drained: one wake-up covers every reply queued before it was consumed
        }
      }
      // Cleared before the outbox is drained, so a reply queued after this point signals again.
      wakePending.set(false);
      if (poller.pollin(routerIndex)) {
        receive(router);
      }
      for (Outgoing out; (out = outbox.poll()) != null; ) {
        out.envelope().add(out.payload());
        out.envelope().send(router);
      }
    }
  }

  private void receive(ZMQ.Socket router) {
    for (int i = 0; i < MAX_READS_PER_WAKE; i++) {
      ZMsg msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT);
      if (msg == null) {
        return;
      }
      if (msg.size() < 2) {
        // ROUTER always prepends the identity; anything shorter carries no payload to answer.
        msg.destroy();
        continue;
      }
      ZFrame payload = msg.removeLast();
      byte[] request = payload.getData();
      payload.destroy();
      handler.handle(request).whenComplete((reply, failure) -> {
        if (failure != null) {
          log.error("request handler failed; the client will time out", failure);
        } else {
          outbox.add(new Outgoing(msg, reply));
          wake();
        }
      });
    }
  }

  private void wake() {
    if (wakePending.compareAndSet(false, true) || !running) {
      synchronized (signalLock) {
        if (signal != null) {
          signal.send(WAKE, ZMQ.DONTWAIT);
        }
      }
    }
  }
}
