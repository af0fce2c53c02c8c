package io.leann.shard.actor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the shard entities of one node report: whether each shard is loaded
 * ({@code leann_shard_loaded{index,shard}}, 1 or 0), and how long loads take and how they end
 * ({@code leann_shard_load_seconds{index,result}}). The series of a shard live while its entity
 * runs on this node, those of an index's loads while any of its shards does: a deleted or moved
 * index leaves no series behind.
 *
 * <p>Also turns the engine's {@link SearchStats} into the map a search reply carries, one entry
 * per integer ({@code long} or {@code int}) record component under its snake_case name, so counters added to the record later
 * (cache hits, say) reach the coordinator's metrics without a change here. Thread-safe: the
 * methods are synchronized, so a stop never removes the load series of a shard loading meanwhile.
 */
public final class ShardMetrics {
  private final MeterRegistry registry;
  private final Map<IndexShards.Id, AtomicInteger> loaded = new ConcurrentHashMap<>();

  public ShardMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records whether shard {@code id} is loaded on this node now. */
  synchronized void loaded(IndexShards.Id id, boolean isLoaded) {
    loaded.computeIfAbsent(id, key -> {
      AtomicInteger state = new AtomicInteger();
      Gauge.builder("leann.shard.loaded", state, AtomicInteger::get)
          .description("1 while the shard's graph and passages are loaded on this node, else 0")
          .tags("index", key.index(), "shard", Integer.toString(key.shard()))
          .strongReference(true)
          .register(registry);
      return state;
    }).set(isLoaded ? 1 : 0);
  }

  /** Shard {@code id} stopped on this node (its index deleted, or the shard moved or passivated). */
  synchronized void stopped(IndexShards.Id id) {
    loaded.remove(id);
    registry.find("leann.shard.loaded").tags("index", id.index(), "shard", Integer.toString(id.shard()))
        .meters().forEach(registry::remove);
    if (loaded.keySet().stream().noneMatch(other -> other.index().equals(id.index()))) {
      registry.find("leann.shard.load").tag("index", id.index()).meters().forEach(registry::remove);
    }
  }

  /** Records one load of shard {@code id} that took {@code took} and succeeded or not. */
  synchronized void loadFinished(IndexShards.Id id, Duration took, boolean ok) {
    Timer.builder("leann.shard.load")
        .description("Time to open (map and verify) a shard's files")
        .tags("index", id.index(), "result", ok ? "ok" : "failed")
        .register(registry)
        .record(took);
  }
}
