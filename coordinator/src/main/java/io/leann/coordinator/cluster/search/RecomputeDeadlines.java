package io.leann.coordinator.cluster.search;

import io.leann.protocol.cluster.IndexEntry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a shard may take for its part of a recompute search: the embeddings it has to recompute
 * times what one costs, twice over for headroom, kept between a floor and a ceiling.
 *
 * <p>Why not a fixed deadline: a recompute search embeds every passage it visits, so its time grows
 * with the beam, the graph degree and the machine's load. The first search of an index whose graph
 * has no PQ codes recomputes hundreds of passages nobody has cached yet; a fixed 15 s turned it into
 * a 503 on a loaded machine although the shard was working. The work is estimated from the shard
 * replies' own counters ({@code recomputed}, {@code recompute_us}) once an index has answered, and
 * before that from the beam and the graph ({@code ef × 2M} visits at most, no more than the
 * shard's passages) at a configured cost per passage.
 *
 * <p>Thread-safe: per-index estimates in a concurrent map, each replaced as a whole.
 */
final class RecomputeDeadlines {
  /** Weight of the newest search in the running estimates. */
  private static final double ALPHA = 0.3;
  private static final double HEADROOM = 2;

  /** Running estimates for one index: passages a shard recomputes per search, nanoseconds per passage. */
  private record Cost(double passages, double nanosPerPassage) {}

  private final Duration floor;
  private final Duration ceiling;
  private final Duration passageCost;
  private final Map<String, Cost> costs = new ConcurrentHashMap<>();

  /**
   * @param floor the shortest deadline (the configured recompute shard timeout)
   * @param ceiling the longest, kept under the HTTP request timeout so a slow shard still gives a
   *     partial answer
   * @param passageCost what one recomputed passage is assumed to cost until the index has answered
   */
  RecomputeDeadlines(Duration floor, Duration ceiling, Duration passageCost) {
    if (floor.compareTo(ceiling) > 0 || !passageCost.isPositive()) {
      throw new IllegalArgumentException("recompute deadlines need floor <= ceiling and a positive passage cost: "
          + floor + ", " + ceiling + ", " + passageCost);
    }
    this.floor = floor;
    this.ceiling = ceiling;
    this.passageCost = passageCost;
  }

  /** The deadline of each shard of {@code index} for a search with beam {@code ef}. */
  Duration forSearch(IndexEntry index, int ef) {
    Cost cost = costs.get(index.name());
    double passages;
    double nanos;
    if (cost == null) {
      long perShard = Math.max(1, index.passages() / Math.max(1, index.shards()));
      passages = Math.min(perShard, (double) ef * 2 * index.graphDegree());
      nanos = passageCost.toNanos();
    } else {
      passages = Math.max(cost.passages(), ef);
      nanos = cost.nanosPerPassage();
    }
    long wanted = (long) Math.min(Long.MAX_VALUE, HEADROOM * passages * nanos);
    return Duration.ofNanos(Math.clamp(wanted, floor.toNanos(), ceiling.toNanos()));
  }

  /** Learns from one shard's reply counters ({@code SearchStats#toMap()}); replies that recomputed nothing teach nothing. */
  void observed(String index, Map<String, Long> stats) {
    if (stats == null) {
      return;
    }
    long recomputed = stats.getOrDefault("recomputed", 0L);
    long micros = stats.getOrDefault("recompute_us", 0L);
    if (recomputed <= 0 || micros <= 0) {
      return;
    }
    double nanosPerPassage = micros * 1000.0 / recomputed;
    costs.merge(index, new Cost(recomputed, nanosPerPassage), (old, now) -> new Cost(
        old.passages() + ALPHA * (now.passages() - old.passages()),
        old.nanosPerPassage() + ALPHA * (now.nanosPerPassage() - old.nanosPerPassage())));
  }
}
