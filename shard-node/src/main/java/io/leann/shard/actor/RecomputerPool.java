package io.leann.shard.actor;

import io.leann.protocol.Metric;
import io.leann.shard.recompute.ZmqRecomputer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.IntFunction;
import org.zeromq.ZContext;

/**
 * Recomputers of one shard over one set of embed workers, reused across searches: a ZMQ socket
 * that has completed its handshake is worth keeping, since a fresh connection costs a round trip
 * and a PING to prove it delivers (JeroMQ 0.6 leaves about one new connection in a hundred dead).
 *
 * <p>A search borrows a recomputer for its whole duration (a {@link ZmqRecomputer} serves one
 * search thread at a time) and returns it afterwards. When the workers or the shard change, the
 * owner retires the pool: idle recomputers close at once, borrowed ones when they come back.
 *
 * <p>Thread-safe. The ZMQ context belongs to the node and outlives every pool.
 */
final class RecomputerPool {
  private final ZContext zmq;
  private final List<String> endpoints;
  private final IntFunction<String> passageText;
  private final Metric metric;
  private final ZmqRecomputer.Options options;
  private final ConcurrentLinkedDeque<ZmqRecomputer> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean retired;

  RecomputerPool(ZContext zmq, List<String> endpoints, IntFunction<String> passageText, Metric metric,
      ZmqRecomputer.Options options) {
    this.zmq = zmq;
    this.endpoints = List.copyOf(endpoints);
    this.passageText = passageText;
    this.metric = metric;
    this.options = options;
  }

  List<String> endpoints() {
    return endpoints;
  }

  /** An idle recomputer, or a new one when all are in use. */
  ZmqRecomputer borrow() {
    ZmqRecomputer r = idle.pollFirst();
    return r != null ? r : new ZmqRecomputer(zmq, endpoints, passageText, metric, options);
  }

  /** Returns a borrowed recomputer; it is closed instead if the pool has been retired. */
  void release(ZmqRecomputer recomputer) {
    if (retired) {
      recomputer.close();
      return;
    }
    idle.addFirst(recomputer);
    // A retire() that ran between the check and the add has missed this one; whoever removes it closes it.
    if (retired && idle.remove(recomputer)) {
      recomputer.close();
    }
  }

  /** Closes the idle recomputers and makes returned ones close. */
  void retire() {
    retired = true;
    for (ZmqRecomputer r; (r = idle.pollFirst()) != null; ) {
      r.close();
    }
  }
}
