package io.leann.coordinator.cluster.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.leann.protocol.cluster.IndexEntry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deadline of a recompute search follows its work: estimated cold, learned from replies, bounded. */
class RecomputeDeadlinesTest {
  private static final Duration FLOOR = Duration.ofSeconds(15);
  private static final Duration CEILING = Duration.ofSeconds(60);

  private static IndexEntry index(String name, long passages, int shards, int degree) {
    return new IndexEntry(name, IndexEntry.READY, shards, "m", "sentence-transformers", 384, "cosine", true, true,
        degree, 64, passages, "gen-1/passages.jsonl", null, null, null);
  }

  @Test
  void coldIndexGetsTheFloorWhenSmallAndTheCeilingWhenLarge() {
    RecomputeDeadlines deadlines = new RecomputeDeadlines(FLOOR, CEILING, Duration.ofMillis(25));
    // 400 passages at 25 ms, twice over: 20 s, between the bounds
    assertEquals(Duration.ofSeconds(20), deadlines.forSearch(index("mail", 400, 1, 32), 64));
    // 100 passages per shard: 5 s of work, so the floor
    assertEquals(FLOOR, deadlines.forSearch(index("small", 200, 2, 32), 64));
    // a million passages: the beam bounds the visits (64 x 2 x 32 = 4096), still past the ceiling
    assertEquals(CEILING, deadlines.forSearch(index("big", 1_000_000, 1, 32), 64));
  }

  @Test
  void answeredSearchesReplaceTheGuessWithTheMeasuredCost() {
    RecomputeDeadlines deadlines = new RecomputeDeadlines(Duration.ofSeconds(1), CEILING, Duration.ofMillis(25));
    IndexEntry mail = index("mail", 400, 1, 32);
    deadlines.observed("mail", Map.of("recomputed", 300L, "recompute_us", 3_000_000L));
    // 300 passages at 10 ms, twice over
    assertEquals(Duration.ofSeconds(6), deadlines.forSearch(mail, 64));
    // replies without recomputation (stored vectors, all cached) teach nothing
    deadlines.observed("mail", Map.of("recomputed", 0L, "recompute_us", 0L));
    deadlines.observed("mail", null);
    assertEquals(Duration.ofSeconds(6), deadlines.forSearch(mail, 64));
    // a slower search moves the estimate towards it: 300 x (10 + 0.3 x (40 - 10)) ms x 2
    deadlines.observed("mail", Map.of("recomputed", 300L, "recompute_us", 12_000_000L));
    assertEquals(11_400, deadlines.forSearch(mail, 64).toMillis());
    assertEquals(Duration.ofSeconds(1), deadlines.forSearch(index("other", 10, 1, 32), 2),
        "estimates are per index");
  }

  @Test
  void refusesBoundsTheWrongWayRound() {
    assertThrows(IllegalArgumentException.class,
        () -> new RecomputeDeadlines(CEILING, FLOOR, Duration.ofMillis(25)));
    assertThrows(IllegalArgumentException.class, () -> new RecomputeDeadlines(FLOOR, CEILING, Duration.ZERO));
  }
}
