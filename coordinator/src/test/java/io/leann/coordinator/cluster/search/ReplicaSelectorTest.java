package io.leann.coordinator.cluster.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplicaSelectorTest {
  private static final long MS = 1_000_000;
  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final ReplicaSelector selector = new ReplicaSelector(Duration.ofMillis(20), Duration.ofMillis(500),
      Duration.ofSeconds(5), Duration.ofSeconds(2), now::get);

  @Test
  void unmeasuredReplicasAreAskedFirstThenTheFastest() {
    List<String> replicas = List.of("docs/0", "docs/0/r1");
    assertEquals(replicas, selector.order(replicas), "neither measured: given order");
    answer("docs/0", 10);
    assertEquals(List.of("docs/0/r1", "docs/0"), selector.order(replicas), "the unmeasured one is probed");
    answer("docs/0/r1", 4);
    assertEquals(List.of("docs/0/r1", "docs/0"), selector.order(replicas), "then the faster one");
    // Searches in flight weigh on a replica: 4 ms x 3 in flight is worse than 10 ms idle.
    selector.asked("docs/0/r1");
    selector.asked("docs/0/r1");
    assertEquals(List.of("docs/0", "docs/0/r1"), selector.order(replicas));
  }

  @Test
  void aFailedReplicaIsAskedLastForAWhileThenProbedAgain() {
    List<String> replicas = List.of("docs/0", "docs/0/r1");
    answer("docs/0", 1);
    answer("docs/0/r1", 5);
    selector.asked("docs/0");
    selector.failed("docs/0");
    assertEquals(List.of("docs/0/r1", "docs/0"), selector.order(replicas));
    now.addAndGet(4_000 * MS);
    answer("docs/0/r1", 5);
    assertEquals(List.of("docs/0/r1", "docs/0"), selector.order(replicas), "still suspect after 4 s");
    now.addAndGet(1_500 * MS);
    assertEquals(List.of("docs/0", "docs/0/r1"), selector.order(replicas), "5.5 s later it is probed again");
    answer("docs/0", 1);
    assertEquals(List.of("docs/0", "docs/0/r1"), selector.order(replicas), "and is the fast one again");
  }

  @Test
  void hedgeDelayIsThreeMeanAnswerTimesWithinTheBounds() {
    assertEquals(Duration.ofMillis(500), selector.hedgeDelay("docs/0"), "unmeasured: the longest wait");
    answer("docs/0", 2);
    assertEquals(Duration.ofMillis(20), selector.hedgeDelay("docs/0"), "6 ms is below the floor");
    answer("docs/1", 40);
    assertEquals(Duration.ofMillis(120), selector.hedgeDelay("docs/1"));
    answer("docs/2", 400);
    assertEquals(Duration.ofMillis(500), selector.hedgeDelay("docs/2"));
    // The mean moves by a fifth of each new answer's difference.
    answer("docs/1", 90);
    assertEquals(Duration.ofMillis(150), selector.hedgeDelay("docs/1"));
  }

  @Test
  void forgetsTheReplicasOfADeletedIndexOnly() {
    answer("docs/0", 40);
    answer("docs2/0", 40);
    selector.forget("docs");
    assertEquals(Duration.ofMillis(500), selector.hedgeDelay("docs/0"));
    assertEquals(Duration.ofMillis(120), selector.hedgeDelay("docs2/0"));
  }

  @Test
  void refusesInvertedBounds() {
    assertThrows(IllegalArgumentException.class, () -> new ReplicaSelector(Duration.ofMillis(50),
        Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofSeconds(1), now::get));
  }

  private void answer(String replica, long millis) {
    selector.asked(replica);
    selector.answered(replica, millis * MS);
  }
}
