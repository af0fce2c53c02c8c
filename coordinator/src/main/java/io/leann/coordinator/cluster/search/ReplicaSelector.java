package io.leann.coordinator.cluster.search;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Chooses which replica of a shard a search asks, from what this coordinator has seen of each
 * replica: an exponentially weighted mean of its answer times, the searches it has in flight, and
 * its recent failures (a simplified form of Elasticsearch's adaptive replica selection).
 *
 * <p>Order: replicas that have not failed within {@code suspectFor} come first; among them those
 * with no recent answer (never asked, or not within {@code probeAfter}) first, so that every replica
 * stays loaded and its figures current; then the lowest mean time times (searches in flight + 1).
 * Ties keep the given order. The hedge delay of a replica, after which a search also asks the next
 * one, is three times its mean answer time, kept within [{@code hedgeMin}, {@code hedgeMax}]
 * ({@code hedgeMax} for a replica with no figures yet): about the tail of its answer times, so
 * that few searches are sent twice (Qdrant suggests its p95 for {@code read_fan_out_delay_ms}).
 *
 * <p>Thread-safe: figures of one replica are updated under its lock.
 */
final class ReplicaSelector {
  /** Weight of a new answer time in the mean. */
  private static final double ALPHA = 0.2;
  private static final double HEDGE_FACTOR = 3;

  private final Duration hedgeMin;
  private final Duration hedgeMax;
  private final Duration suspectFor;
  private final Duration probeAfter;
  private final LongSupplier nanoClock;
  private final Map<String, Stats> stats = new ConcurrentHashMap<>();

  /** Figures of one replica. */
  private static final class Stats {
    double meanNanos = -1;
    int inFlight;
    long answeredAt = Long.MIN_VALUE;
    long failedAt = Long.MIN_VALUE;
    boolean failed;
  }

  /** A replica's figures at one moment, for ordering. */
  private record Snapshot(String id, int position, boolean suspect, boolean stale, double load) {}

  /**
   * @param hedgeMin shortest hedge delay
   * @param hedgeMax longest hedge delay, and that of a replica with no figures yet
   * @param suspectFor how long a replica that failed or missed its deadline is asked last
   * @param probeAfter how long after its last answer a replica is asked first again
   * @param nanoClock {@link System#nanoTime} but in tests
   */
  ReplicaSelector(Duration hedgeMin, Duration hedgeMax, Duration suspectFor, Duration probeAfter,
      LongSupplier nanoClock) {
    if (hedgeMin.isNegative() || hedgeMax.compareTo(hedgeMin) < 0) {
      throw new IllegalArgumentException("hedge delays must satisfy 0 <= min <= max: " + hedgeMin + ", " + hedgeMax);
    }
    this.hedgeMin = hedgeMin;
    this.hedgeMax = hedgeMax;
    this.suspectFor = suspectFor;
    this.probeAfter = probeAfter;
    this.nanoClock = nanoClock;
  }

  /** {@code replicas} (entity ids of one shard's replicas) in the order a search should ask them. */
  List<String> order(List<String> replicas) {
    long now = nanoClock.getAsLong();
    List<Snapshot> snapshots = new ArrayList<>(replicas.size());
    for (int i = 0; i < replicas.size(); i++) {
      String id = replicas.get(i);
      Stats s = stats.get(id);
      if (s == null) {
        snapshots.add(new Snapshot(id, i, false, true, 0));
        continue;
      }
      synchronized (s) {
        boolean suspect = s.failed && now - s.failedAt < suspectFor.toNanos();
        boolean stale = s.meanNanos < 0 || now - s.answeredAt >= probeAfter.toNanos();
        snapshots.add(new Snapshot(id, i, suspect, stale && s.inFlight == 0,
            Math.max(s.meanNanos, 0) * (s.inFlight + 1)));
      }
    }
    snapshots.sort(Comparator.comparing(Snapshot::suspect)
        .thenComparing(Snapshot::stale, Comparator.reverseOrder())
        .thenComparingDouble(Snapshot::load)
        .thenComparingInt(Snapshot::position));
    return snapshots.stream().map(Snapshot::id).toList();
  }

  /** How long a search waits for {@code replica} before it also asks the next replica. */
  Duration hedgeDelay(String replica) {
    Stats s = stats.get(replica);
    double mean;
    if (s == null) {
      return hedgeMax;
    }
    synchronized (s) {
      mean = s.meanNanos;
    }
    if (mean < 0) {
      return hedgeMax;
    }
    long nanos = (long) (HEDGE_FACTOR * mean);
    return Duration.ofNanos(Math.max(hedgeMin.toNanos(), Math.min(hedgeMax.toNanos(), nanos)));
  }

  /** A search was sent to {@code replica}; each call is followed by one of {@link #answered} or {@link #failed}. */
  void asked(String replica) {
    Stats s = stats.computeIfAbsent(replica, id -> new Stats());
    synchronized (s) {
      s.inFlight++;
    }
  }

  /** {@code replica} answered a search after {@code nanos}. */
  void answered(String replica, long nanos) {
    Stats s = stats.computeIfAbsent(replica, id -> new Stats());
    synchronized (s) {
      s.inFlight = Math.max(0, s.inFlight - 1);
      s.meanNanos = s.meanNanos < 0 ? nanos : ALPHA * nanos + (1 - ALPHA) * s.meanNanos;
      s.answeredAt = nanoClock.getAsLong();
      s.failed = false;
    }
  }

  /** {@code replica} failed a search or missed its deadline. */
  void failed(String replica) {
    Stats s = stats.computeIfAbsent(replica, id -> new Stats());
    synchronized (s) {
      s.inFlight = Math.max(0, s.inFlight - 1);
      s.failed = true;
      s.failedAt = nanoClock.getAsLong();
    }
  }

  /** Forgets the figures of the replicas of {@code index} (deleted). */
  void forget(String index) {
    stats.keySet().removeIf(id -> id.startsWith(index + "/"));
  }
}
