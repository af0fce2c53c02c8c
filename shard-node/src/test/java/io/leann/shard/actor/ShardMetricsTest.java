package io.leann.shard.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShardMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ShardMetrics metrics = new ShardMetrics(registry);

  @Test
  void aStoppedShardLeavesNoSeriesAndItsIndexNoneOnceNoShardOfItRuns() {
    IndexShards.Id docs0 = new IndexShards.Id("docs", 0);
    IndexShards.Id docs1 = new IndexShards.Id("docs", 1);
    IndexShards.Id other0 = new IndexShards.Id("other", 0);
    metrics.loaded(docs0, true);
    metrics.loaded(docs1, true);
    metrics.loaded(other0, true);
    metrics.loadFinished(docs0, Duration.ofMillis(5), true);
    metrics.loadFinished(other0, Duration.ofMillis(5), true);

    metrics.stopped(docs0);
    assertNull(registry.find("leann.shard.loaded").tags("index", "docs", "shard", "0").gauge());
    assertEquals(1.0, registry.get("leann.shard.loaded").tags("index", "docs", "shard", "1").gauge().value());
    assertEquals(1, registry.get("leann.shard.load").tag("index", "docs").timer().count(), "docs/1 still runs here");

    metrics.stopped(docs1);
    assertEquals(0, registry.find("leann.shard.loaded").tag("index", "docs").meters().size());
    assertEquals(0, registry.find("leann.shard.load").tag("index", "docs").meters().size());
    assertEquals(1.0, registry.get("leann.shard.loaded").tags("index", "other").gauge().value());
    assertEquals(1, registry.get("leann.shard.load").tag("index", "other").timer().count());

    // A shard that starts again (an index created anew under the same name) reports again.
    metrics.loaded(docs0, true);
    assertEquals(1.0, registry.get("leann.shard.loaded").tags("index", "docs", "shard", "0").gauge().value());
  }
}
