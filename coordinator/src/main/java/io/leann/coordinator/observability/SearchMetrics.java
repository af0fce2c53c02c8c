package io.leann.coordinator.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
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
 * Thread-safe (Micrometer meters are).
 */
public final class SearchMetrics {
  /**
   * Upper bounds of the latency histogram's buckets: a stored-vector search takes milliseconds, a
   * recompute search tens to hundreds, a slow shard up to the recompute deadline (15 s).
   */
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

  private void count(String name, String index, Long value) {
    if (value != null && value > 0) {
      registry.counter(name, "index", index).increment(value);
    }
  }

  private static String mode(boolean recompute) {
    return recompute ? "recompute" : "stored";
  }
}
