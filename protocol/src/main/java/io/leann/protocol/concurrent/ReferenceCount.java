package io.leann.protocol.concurrent;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The users of something that is replaced while it is in use (a loaded shard, an index's
 * passages): the owner holds one reference from the start, every reader takes one for the time it
 * reads, and whoever gives back the last one runs the close action, once.
 *
 * <p>Invariant: once the count has reached zero it stays there, so {@link #acquire()} never hands
 * out a closed resource. Thread-safe and lock-free.
 */
public final class ReferenceCount {
  private final AtomicInteger references = new AtomicInteger(1);
  private final Runnable close;

  /** @param close runs on the thread that gives back the last reference */
  public ReferenceCount(Runnable close) {
    this.close = close;
  }

  /** Takes a reference; false once the last one has been given back. */
  public boolean acquire() {
    while (true) {
      int n = references.get();
      if (n == 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives back a reference; the last one runs the close action. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      close.run();
    }
  }
}
