package io.leann.coordinator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SearchMetrics metrics = new SearchMetrics(registry);

  private void searchBoth() {
    for (String index : new String[] {"docs", "notes"}) {
      metrics.searched(index, true, "complete", Duration.ofMillis(3));
      metrics.work(index, true, Map.of("nodes_visited", 10L, "recompute_requests", 2L, "recomputed", 8L));
    }
  }

  private int series(String index) {
    return registry.find("leann.search").tag("index", index).meters().size()
        + registry.find("leann.search.work").tag("index", index).meters().size()
        + registry.find("leann.recompute.batches").tag("index", index).meters().size()
        + registry.find("leann.recompute.nodes").tag("index", index).meters().size();
  }

  @Test
  void forgetDropsEverySeriesOfTheIndexAndNoOther() {
    searchBoth();
    registry.counter("leann.shard.other", "index", "docs").increment();
    assertEquals(6, series("docs"));
    metrics.forget("docs");
    assertEquals(0, series("docs"));
    assertEquals(6, series("notes"));
    assertEquals(1, registry.find("leann.shard.other").meters().size(), "meters of other classes stay");
    // Searched again (created anew under the same name), it counts from zero.
    metrics.searched("docs", false, "complete", Duration.ofMillis(1));
    assertEquals(1, registry.get("leann.search").tag("index", "docs").timer().count());
  }

  @Test
  void retainDropsTheSeriesOfIndexesDeletedElsewhere() {
    searchBoth();
    metrics.retain(Set.of("notes"));
    assertEquals(0, series("docs"));
    assertEquals(6, series("notes"));
  }
}
