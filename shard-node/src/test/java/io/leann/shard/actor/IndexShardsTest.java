package io.leann.shard.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IndexShardsTest {
  @Test
  void replicaZeroKeepsTheIdAShardAlwaysHad() {
    assertEquals("docs/3", IndexShards.entityId("docs", 3, 0));
    assertEquals(new IndexShards.Id("docs", 3, 0), IndexShards.Id.parse("docs/3"));
    assertEquals(new IndexShards.Id("docs", 3), IndexShards.Id.parse("docs/3"));
  }

  @Test
  void otherReplicasRoundTrip() {
    for (String index : new String[] {"docs", "r1", "a.b-c_d", "x/r"}) {
      for (int replica = 0; replica < 3; replica++) {
        String id = IndexShards.entityId(index, 7, replica);
        IndexShards.Id parsed = IndexShards.Id.parse(id);
        assertEquals(new IndexShards.Id(index, 7, replica), parsed, id);
        assertEquals(id, parsed.toString());
      }
    }
    assertEquals("docs/0/r2", IndexShards.entityId("docs", 0, 2));
  }

  @Test
  void refusesIdsThatAreNotShardReplicas() {
    for (String bad : new String[] {"docs", "docs/", "/0", "docs/x", "docs/-1", "docs/0/r0", "docs/0/r-1", "docs/r1",
        "docs/0/r", "docs/0/rx"}) {
      assertThrows(IllegalArgumentException.class, () -> IndexShards.Id.parse(bad), bad);
    }
  }
}
