package io.leann.coordinator.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Meters of the searches a coordinator runs.
 *
 * <ul>
 *   <li>{@code leann_search_seconds{index,mode,result}}: a histogram of whole-search latency
 *       (embedding, scatter, merge), {@code mode} {@code stored} or {@code recompute},
 *       {@code result} {@code complete}, {@code partial} or {@code error};
 *   <li>{@code leann_search_work_total{index,mode,stat}}: the engine's work counters summed over
 *       the shards, one {@code stat} per counter the shards report (their
 *       {@code SearchStats#toMap()} keys: {@code nodes_visited}, {@code pq_distances},
 *       {@code recomputed}, {@code cache_hits}, {@code hub_hits}, ...);
 *   <li>{@code leann_recompute_batches_total{index}}, {@code leann_recompute_nodes_total{index}},
 *       {@code leann_recompute_cache_hits_total{index}} and {@code leann_recompute_hub_hits_total{index}}:
 *       recompute requests to the embed workers, embeddings recomputed, and exact distances the
 *       two-level search got without a recompute.
 * </ul>
 *
 * The series of an index live as long as the index: {@link #forget} drops them when it is
 * deleted, {@link #retain} drops those of indexes deleted through another coordinator.
 * Thread-safe (Micrometer meters and registries are).
 */
public final class SearchMetrics {
  /**
   * Upper bounds of the latency histogram's buckets: a stored-vector search takes milliseconds, a
   * recompute search tens to hundreds, a slow shard up to the recompute deadline (15 s).
   */
  /** Names of the meters this class registers, all tagged {@code index}. */
  private static final Set<String> NAMES = Set.of("leann.search", "leann.search.work", "leann.recompute.batches",
      "leann.recompute.nodes", "leann.recompute.cache_hits", "leann.recompute.hub_hits");

  private static final Duration[] BUCKETS = Stream.of(2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
      20000).map(Duration::ofMillis).toArray(Duration[]::new);

  private final MeterRegistry registry;

  public SearchMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records a search of {@code index} that took {@code took}; {@code result} as in the class comment. */
  public void searched(String index, boolean recompute, String result, Duration took) {
    Timer.builder("leann.search")
        .description("Search latency, embedding and all shards included")
        .tags("index", index, "mode", mode(recompute), "result", result)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(took);
  }

  /** Adds one shard's work counters; names not known to the engine today are counted all the same. */
  public void work(String index, boolean recompute, Map<String, Long> stats) {
    if (stats == null) {
      return;
    }
    String mode = mode(recompute);
    stats.forEach((stat, value) -> {
      if (value != null && value > 0) {
        registry.counter("leann.search.work", "index", index, "mode", mode, "stat", stat).increment(value);
      }
    });
    if (recompute) {
      count("leann.recompute.batches", index, stats.get("recompute_requests"));
      count("leann.recompute.nodes", index, stats.get("recomputed"));
      count("leann.recompute.cache_hits", index, stats.get("cache_hits"));
      count("leann.recompute.hub_hits", index, stats.get("hub_hits"));
    }
  }

  /** Removes every series of {@code index}. */
  public void forget(String index) {
    removeIf(index::equals);
  }

  /** Removes the series of every index not in {@code indexes}. */
  public void retain(Set<String> indexes) {
    removeIf(index -> !indexes.contains(index));
  }

  private void removeIf(Predicate<String> index) {
    for (Meter meter : registry.getMeters()) {
      String tag = meter.getId().getTag("index");
      if (tag != null && NAMES.contains(meter.getId().getName()) && index.test(tag)) {
        registry.remove(meter);
      }
    }
  }

  private void count(String name, String index, Long value) {
    if (value != null && value > 0) {
      registry.counter(name, "index", index).increment(value);
    }
  }

  private static String mode(boolean recompute) {
    return recompute ? "recompute" : "stored";
  }
}
