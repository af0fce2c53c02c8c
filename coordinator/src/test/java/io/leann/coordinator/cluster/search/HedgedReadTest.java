package io.leann.coordinator.cluster.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.shard.actor.ShardActor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Hedged reads over stand-in replicas whose answers the test completes by hand. */
class HedgedReadTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final List<String> REPLICAS = List.of("docs/0", "docs/0/r1");
  private static final ShardActor.Hits HITS = new ShardActor.Hits(0, "gen-1", List.of(), false, Map.of());

  private final Map<String, CompletableFuture<ShardActor.SearchReply>> pending = new ConcurrentHashMap<>();
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final ReplicaSelector selector = new ReplicaSelector(Duration.ofMillis(20), Duration.ofMillis(200),
      Duration.ofSeconds(5), Duration.ofSeconds(2), System::nanoTime);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private CompletableFuture<ShardActor.SearchReply> read(Duration timeout) {
    return HedgedRead.start(0, REPLICAS, (replica, left) -> {
      asked.add(replica);
      return pending.computeIfAbsent(replica, r -> new CompletableFuture<>());
    }, selector, timeout, KIT.system().scheduler(), KIT.system().executionContext());
  }

  @Test
  void aFastAnswerIsTheOnlyAsk() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofSeconds(5));
    pending.get("docs/0").complete(HITS);
    assertEquals(HITS, answer.get(1, TimeUnit.SECONDS));
    Thread.sleep(300);
    assertEquals(List.of("docs/0"), asked, "no hedge after an answer");
  }

  @Test
  void aSlowReplicaIsHedgedAndTheOtherAnswers() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofSeconds(5));
    // docs/0 has no figures: the hedge comes after the longest delay, 200 ms.
    awaitAsked(2, Duration.ofSeconds(2));
    assertFalse(answer.isDone());
    pending.get("docs/0/r1").complete(HITS);
    assertEquals(HITS, answer.get(1, TimeUnit.SECONDS));
    // The slow one answers later: it counts in its figures, not in the answer.
    pending.get("docs/0").complete(new ShardActor.Hits(0, "gen-1", List.of(), true, Map.of()));
    assertEquals(HITS, answer.get());
  }

  @Test
  void aFailureAsksTheNextReplicaAtOnce() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofSeconds(5));
    pending.get("docs/0").complete(new ShardActor.Failed(0, "shard docs/0 stopped", false));
    awaitAsked(2, Duration.ofMillis(150));
    pending.get("docs/0/r1").complete(HITS);
    assertEquals(HITS, answer.get(1, TimeUnit.SECONDS));
    assertEquals(List.of("docs/0/r1", "docs/0"), selector.order(REPLICAS), "the failed replica goes last");
  }

  @Test
  void aBadRequestIsNotRetried() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofSeconds(5));
    ShardActor.Failed bad = new ShardActor.Failed(0, "metadata_filters: no", true);
    pending.get("docs/0").complete(bad);
    assertEquals(bad, answer.get(1, TimeUnit.SECONDS));
    Thread.sleep(300);
    assertEquals(List.of("docs/0"), asked);
  }

  @Test
  void whenEveryReplicaFailsTheLastFailureIsTheAnswer() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofSeconds(5));
    pending.get("docs/0").completeExceptionally(new java.util.concurrent.TimeoutException("ask timed out"));
    awaitAsked(2, Duration.ofMillis(150));
    ShardActor.Failed last = new ShardActor.Failed(0, "shard docs/0/r1 is loading and already holds 64", false);
    pending.get("docs/0/r1").complete(last);
    assertEquals(last, answer.get(1, TimeUnit.SECONDS));
  }

  @Test
  void theShardDeadlineEndsTheRead() throws Exception {
    CompletableFuture<ShardActor.SearchReply> answer = read(Duration.ofMillis(400));
    ShardActor.SearchReply reply = answer.get(2, TimeUnit.SECONDS);
    ShardActor.Failed failed = assertInstanceOf(ShardActor.Failed.class, reply);
    assertTrue(failed.reason().contains("no answer within 400 ms"), failed.reason());
    assertEquals(2, asked.size(), "both replicas were asked before the deadline");
  }

  private void awaitAsked(int count, Duration within) throws InterruptedException {
    long until = System.nanoTime() + within.toNanos();
    while (asked.size() < count && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertEquals(count, asked.size(), asked.toString());
  }
}
