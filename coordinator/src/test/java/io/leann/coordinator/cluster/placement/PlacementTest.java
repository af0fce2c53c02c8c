package io.leann.coordinator.cluster.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
  void spreadsEachIndexFirstAndBreaksTiesByTotalLoad() {
    Map<String, Address> fixed = Map.of("other/0", A, "other/1", A, "other/2", B, "gone/0",
        new Address("pekko", "leann", "127.0.0.1", 9999));
    Map<String, Address> placed = Placement.assign(List.of("docs/0", "docs/1", "docs/2"), fixed, List.of(A, B, C));
    // By total load alone docs/2 would join docs/0 on C; the per-index spread puts it on A.
    assertEquals(Map.of("docs/0", C, "docs/1", B, "docs/2", A), placed);
  }

  @Test
  void neverStacksAnIndexWhileANodeHasNoneOfIt() {
    // The case measured on a 2-node cluster: another index's 5 shards weigh on A, yet the new
    // 2-shard index still gets one shard per node.
    Map<String, Address> fixed = Map.of("big/0", B, "big/1", B, "big/2", B, "big/3", B, "big/4", B);
    Map<String, Address> placed = Placement.assign(Placement.shardIds("two", 2), fixed, List.of(A, B));
    assertEquals(Map.of("two/0", A, "two/1", B), placed);
  }

  @Test
  void spreadMovesOnlyTheShardsThatBreakTheSpread() {
    Map<String, Address> current = Map.of("docs/0", A, "docs/1", A, "docs/2", A, "docs/3", B);
    Map<String, Address> spread = Placement.spread("docs", 4, 1, current, Map.of(), List.of(A, B, C));
    // A held 3 and C none: the highest numbered shard on A moves to C, the rest stay.
    assertEquals(Map.of("docs/0", A, "docs/1", A, "docs/2", C, "docs/3", B), spread);
    Map<String, Address> even = Map.of("docs/0", A, "docs/1", B, "docs/2", B, "docs/3", A);
    assertEquals(even, Placement.spread("docs", 4, 1, even, Map.of("other/0", A), List.of(A, B)),
        "2 and 2 over two nodes is already spread: nothing moves");
  }

  @Test
  void spreadFixesTwoShardsOnOneOfTwoNodes() {
    Map<String, Address> current = Map.of("two/0", A, "two/1", A);
    Map<String, Address> others = Map.of("big/0", B, "big/1", B, "big/2", B);
    assertEquals(Map.of("two/0", A, "two/1", B), Placement.spread("two", 2, 1, current, others, List.of(A, B)));
  }

  @Test
  void spreadPlacesShardsWhoseNodeIsGoneAndKeepsTheRest() {
    Address gone = new Address("pekko", "leann", "127.0.0.1", 9999);
    Map<String, Address> current = Map.of("docs/0", A, "docs/1", gone);
    Map<String, Address> spread = Placement.spread("docs", 3, 1, current, Map.of(), List.of(A, B, C));
    assertEquals(Map.of("docs/0", A, "docs/1", B, "docs/2", C), spread);
  }

  @Test
  void reasonSaysWhyAShardIsWhereItIs() {
    Map<String, Address> stacked = Map.of("docs/0", A, "docs/1", A, "docs/2", B, "other/0", C);
    List<Address> nodes = List.of(A, B, C);
    assertEquals(Placement.SPREAD, Placement.reason("docs", 2, 0, stacked, nodes));
    assertTrue(Placement.reason("docs", 0, 0, stacked, nodes).startsWith("pinned by PUT /admin/indexes/docs/shards/0"));
    assertTrue(Placement.reason("docs", 0, 0, stacked, nodes).contains("POST /admin/indexes/docs/rebalance"));
    assertEquals(Placement.ONLY_NODE, Placement.reason("docs", 0, 0, stacked, List.of(A)));
    assertEquals(Placement.UNPLACED, Placement.reason("docs", 3, 0, stacked, nodes));
    assertTrue(Placement.reason("docs", 2, 0, stacked, List.of(A, C)).contains("not Up"));
  }

  @Test
  void replicasOfAShardNeverShareANode() {
    List<String> ids = Placement.replicaIds("docs", 3, 2);
    assertEquals(List.of("docs/0", "docs/1", "docs/2", "docs/0/r1", "docs/1/r1", "docs/2/r1"), ids);
    Map<String, Address> placed = Placement.assign(ids, Map.of(), List.of(A, B, C));
    assertEquals(6, placed.size());
    for (int k = 0; k < 3; k++) {
      assertNotEquals(placed.get("docs/" + k), placed.get("docs/" + k + "/r1"), placed.toString());
    }
    // Two replicas per node: the index is spread as well as kept apart.
    for (Address n : List.of(A, B, C)) {
      assertEquals(2, placed.values().stream().filter(n::equals).count(), placed.toString());
    }
    // Three copies on two nodes: the third of each shard has nowhere to go and stays unplaced.
    Map<String, Address> crowded = Placement.assign(Placement.replicaIds("docs", 2, 3), Map.of(), List.of(A, B));
    assertEquals(Set.of("docs/0", "docs/1", "docs/0/r1", "docs/1/r1"), crowded.keySet());
  }

  @Test
  void aLostNodesReplicasGoWhereTheirShardIsNot() {
    // A died holding docs/0/r1: it is placed again, on C, because B holds docs/0.
    Map<String, Address> live = Map.of("docs/0", B, "docs/1/r1", B, "docs/1", C);
    Map<String, Address> placed = Placement.assign(List.of("docs/0/r1"), live, List.of(B, C));
    assertEquals(Map.of("docs/0/r1", C), placed);
    assertTrue(Placement.assign(List.of("docs/0/r1"), Map.of("docs/0", B), List.of(B)).isEmpty(),
        "the only node holds the shard already");
  }

  @Test
  void spreadSeparatesStackedReplicasAndBalancesWithoutStackingThem() {
    // An admin pinned both copies of docs/0 on A; the second is placed again, and A's surplus moves
    // to a node without a copy of its shard.
    Map<String, Address> current = Map.of("docs/0", A, "docs/0/r1", A, "docs/1", A, "docs/1/r1", B);
    Map<String, Address> spread = Placement.spread("docs", 2, 2, current, Map.of(), List.of(A, B, C));
    assertEquals(4, spread.size());
    assertNotEquals(spread.get("docs/0"), spread.get("docs/0/r1"));
    assertNotEquals(spread.get("docs/1"), spread.get("docs/1/r1"));
    for (Address n : List.of(A, B, C)) {
      long held = spread.values().stream().filter(n::equals).count();
      assertTrue(held >= 1 && held <= 2, spread.toString());
    }
    assertEquals(A, spread.get("docs/0"), "a copy that breaks no rule stays");
  }

  @Test
  void needsANode() {
    assertThrows(IllegalArgumentException.class, () -> Placement.assign(List.of("docs/0"), Map.of(), List.of()));
  }
}
