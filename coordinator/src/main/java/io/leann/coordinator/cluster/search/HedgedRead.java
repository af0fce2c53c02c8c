package io.leann.coordinator.cluster.search;

import io.leann.shard.actor.ShardActor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * One shard's search over its replicas: asks the first replica, and the next one when the first
 * fails at once or has not answered within its hedge delay ({@link ReplicaSelector#hedgeDelay}),
 * and so on; the first replica to answer with hits gives the shard's answer. A refusal of the
 * request itself (bad request, corrupt files) is the answer too: every replica would say the same.
 * When every replica has failed, or the shard's deadline passes, the answer is the last failure.
 *
 * <p>Every ask is reported to the selector when it ends, answered or not, also after another
 * replica won, so its figures stay true. Thread-safe: the state is guarded by {@code this}.
 */
final class HedgedRead {
  private final int shard;
  private final List<String> replicas;
  private final BiFunction<String, Duration, CompletionStage<ShardActor.SearchReply>> ask;
  private final ReplicaSelector selector;
  private final Scheduler scheduler;
  private final ExecutionContext executor;
  private final long deadlineNanos;
  private final Duration timeout;
  private final CompletableFuture<ShardActor.SearchReply> answer = new CompletableFuture<>();
  private int next;
  private int running;
  private ShardActor.Failed lastFailure;

  /**
   * Starts the read.
   *
   * @param replicas entity ids of the shard's replicas, in the order to ask them; not empty
   * @param ask sends the search to a replica with the time it has left
   * @param timeout the shard's deadline
   * @return the shard's answer; never completes exceptionally
   */
  static CompletableFuture<ShardActor.SearchReply> start(int shard, List<String> replicas,
      BiFunction<String, Duration, CompletionStage<ShardActor.SearchReply>> ask, ReplicaSelector selector,
      Duration timeout, Scheduler scheduler, ExecutionContext executor) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("shard " + shard + " has no replica to ask");
    }
    HedgedRead read = new HedgedRead(shard, replicas, ask, selector, timeout, scheduler, executor);
    scheduler.scheduleOnce(timeout, read::expire, executor);
    read.askNext();
    return read.answer;
  }

  private HedgedRead(int shard, List<String> replicas,
      BiFunction<String, Duration, CompletionStage<ShardActor.SearchReply>> ask, ReplicaSelector selector,
      Duration timeout, Scheduler scheduler, ExecutionContext executor) {
    this.shard = shard;
    this.replicas = List.copyOf(replicas);
    this.ask = ask;
    this.selector = selector;
    this.scheduler = scheduler;
    this.executor = executor;
    this.timeout = timeout;
    this.deadlineNanos = System.nanoTime() + timeout.toNanos();
  }

  private void askNext() {
    String replica;
    Duration left;
    synchronized (this) {
      if (answer.isDone() || next >= replicas.size()) {
        return;
      }
      left = Duration.ofNanos(deadlineNanos - System.nanoTime());
      if (left.isNegative() || left.isZero()) {
        return;
      }
      replica = replicas.get(next++);
      running++;
    }
    long start = System.nanoTime();
    selector.asked(replica);
    if (hasNext()) {
      scheduler.scheduleOnce(selector.hedgeDelay(replica), this::askNext, executor);
    }
    ask.apply(replica, left).whenComplete((reply, failure) -> onReply(replica, start, reply, failure));
  }

  private synchronized boolean hasNext() {
    return next < replicas.size();
  }

  private void onReply(String replica, long start, ShardActor.SearchReply reply, Throwable failure) {
    boolean retry;
    if (reply instanceof ShardActor.Hits hits) {
      selector.answered(replica, System.nanoTime() - start);
      answer.complete(hits);
      retry = false;
    } else if (reply instanceof ShardActor.Failed f && (f.badRequest() || f.corrupt())) {
      selector.answered(replica, System.nanoTime() - start);
      answer.complete(f);
      retry = false;
    } else {
      selector.failed(replica);
      ShardActor.Failed f = reply instanceof ShardActor.Failed failed ? failed
          : new ShardActor.Failed(shard, "replica " + replica + " gave no answer within " + timeout.toMillis()
              + " ms", false);
      synchronized (this) {
        running--;
        lastFailure = f;
        retry = next < replicas.size();
        if (!retry && running == 0) {
          answer.complete(f);
        }
      }
    }
    if (retry) {
      askNext();
    }
  }

  /** The shard's deadline passed: its answer is the last failure, or a timeout. */
  private void expire() {
    ShardActor.Failed f;
    synchronized (this) {
      f = lastFailure != null ? lastFailure
          : new ShardActor.Failed(shard, "no answer within " + timeout.toMillis() + " ms", false);
    }
    answer.complete(f);
  }
}
