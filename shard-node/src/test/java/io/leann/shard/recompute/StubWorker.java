package io.leann.shard.recompute;

import io.leann.protocol.Metric;
import io.leann.protocol.wire.MalformedFrameException;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeFrame;
import io.leann.protocol.wire.NativeMessage;
import io.leann.shard.vector.VectorDistances;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * A minimal embed worker for the recomputer tests: a ROUTER on 127.0.0.1 answering native
 * {@code DISTANCES} frames with {@link TextVectors} embeddings and {@code PING} with its model, on
 * one thread that owns its context. Only {@code DISTANCES} frames count as requests. It speaks the wire protocol through the same codec as the real server (embed-worker's
 * {@code RecomputeServer}, which shard-node may not depend on), and can misbehave on purpose.
 */
final class StubWorker implements AutoCloseable {

  enum Mode {
    /** Answers every request correctly. */
    NORMAL,
    /** Answers PINGs, reads every request and never answers it. */
    SILENT,
    /** Answers every request with an EMBEDDING_FAILED error. */
    FAILING,
    /** Sends a reply with an unknown request id before each correct reply. */
    STALE_FIRST,
    /** Answers nothing, not even a PING: no connection reaches it. */
    UNREACHABLE
  }

  private final Mode mode;
  private final int dieAfter;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger texts = new AtomicInteger();
  private final CompletableFuture<String> bound = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  private StubWorker(Mode mode, int dieAfter) {
    this.mode = mode;
    this.dieAfter = dieAfter;
    this.thread = Thread.ofPlatform().name("stub-worker").daemon().start(this::run);
  }

  static StubWorker start(Mode mode) {
    return start(mode, Integer.MAX_VALUE);
  }

  /** A worker that answers {@code dieAfter} requests, then closes its socket as a killed process would. */
  static StubWorker start(Mode mode, int dieAfter) {
    StubWorker w = new StubWorker(mode, dieAfter);
    w.bound.join();
    return w;
  }

  String endpoint() {
    return bound.join();
  }

  int requests() {
    return requests.get();
  }

  /** PINGs received, answered or not. */
  int pings() {
    return pings.get();
  }

  int texts() {
    return texts.get();
  }

  /** Whether the worker has stopped serving (closed, or died after its quota). */
  boolean dead() {
    return !thread.isAlive();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try (ZContext ctx = new ZContext(1)) {
      ZMQ.Socket router = ctx.createSocket(SocketType.ROUTER);
      router.setLinger(0);
      router.bind("tcp://127.0.0.1:0");
      // Poll, then read without waiting, as the real server does.
      ZMQ.Poller poller = ctx.createPoller(1);
      poller.register(router, ZMQ.Poller.POLLIN);
      bound.complete(router.getLastEndpoint());
      while (running && requests.get() < dieAfter) {
        poller.poll(20);
        ZMsg msg;
        while (requests.get() < dieAfter && (msg = ZMsg.recvMsg(router, ZMQ.DONTWAIT)) != null) {
          serve(router, msg);
        }
      }
    }
  }

  private void serve(ZMQ.Socket router, ZMsg msg) {
    byte[] payload = msg.removeLast().getData();
    NativeFrame frame;
    try {
      frame = NativeCodec.decode(payload);
    } catch (MalformedFrameException e) {
      throw new AssertionError("recomputer sent a malformed frame", e);
    }
    boolean deaf = mode == Mode.UNREACHABLE;
    if (frame.message() instanceof NativeMessage.Ping) {
      pings.incrementAndGet();
      if (deaf) {
        msg.destroy();
      } else {
        reply(router, msg, frame.requestId(), new NativeMessage.ModelInfo("stub", TextVectors.DIMS));
      }
      return;
    }
    requests.incrementAndGet();
    if (deaf) {
      msg.destroy();
      return;
    }
    NativeMessage.Distances request = (NativeMessage.Distances) frame.message();
    texts.addAndGet(request.texts().size());
    switch (mode) {
      case SILENT -> msg.destroy();
      case FAILING -> reply(router, msg, frame.requestId(),
          new NativeMessage.Error(NativeMessage.ErrorCode.EMBEDDING_FAILED, "stub model is broken"));
      case STALE_FIRST -> {
        reply(router, msg.duplicate(), frame.requestId() + 1_000_000,
            new NativeMessage.DistancesReply(new float[request.texts().size()]));
        reply(router, msg, frame.requestId(), answer(request));
      }
      default -> reply(router, msg, frame.requestId(), answer(request));
    }
  }

  private static void reply(ZMQ.Socket router, ZMsg envelope, long requestId, NativeMessage message) {
    envelope.add(NativeCodec.encode(requestId, message));
    envelope.send(router);
  }

  static NativeMessage.DistancesReply answer(NativeMessage.Distances request) {
    return new NativeMessage.DistancesReply(distances(request.metric(), request.query(), request.texts()));
  }

  /** Engine distances as the real server computes them, with the engine's own kernels. */
  static float[] distances(Metric metric, float[] query, List<String> texts) {
    float[] out = new float[texts.size()];
    for (int i = 0; i < out.length; i++) {
      float[] v = TextVectors.vector(texts.get(i));
      if (metric == Metric.L2) {
        out[i] = VectorDistances.squaredL2(query, v);
      } else {
        if (metric.normalises()) {
          VectorDistances.normalize(v);
        }
        out[i] = -VectorDistances.dot(query, v);
      }
    }
    return out;
  }
}
