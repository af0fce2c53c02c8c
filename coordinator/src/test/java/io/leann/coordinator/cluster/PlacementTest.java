package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private static final Address A = new Address("pekko", "leann", "127.0.0.1", 2551);
  private static final Address B = new Address("pekko", "leann", "127.0.0.1", 2552);
  private static final Address C = new Address("pekko", "leann", "127.0.0.1", 2553);

  @Test
  void spreadsShardsRoundRobinOverEmptyNodes() {
    Map<String, Address> placed = Placement.assign(Placement.shardIds("docs", 5), Map.of(), List.of(C, A, B));
    assertEquals(Map.of("docs/0", A, "docs/1", B, "docs/2", C, "docs/3", A, "docs/4", B), placed);
  }

  @Test
  void fillsTheLeastLoadedNodesFirst() {
    Map<String, Address> fixed = Map.of("other/0", A, "other/1", A, "other/2", B, "gone/0",
        new Address("pekko", "leann", "127.0.0.1", 9999));
    Map<String, Address> placed = Placement.assign(List.of("docs/0", "docs/1", "docs/2"), fixed, List.of(A, B, C));
    assertEquals(Map.of("docs/0", C, "docs/1", B, "docs/2", C), placed);
  }

  @Test
  void needsANode() {
    assertThrows(IllegalArgumentException.class, () -> Placement.assign(List.of("docs/0"), Map.of(), List.of()));
  }
}
