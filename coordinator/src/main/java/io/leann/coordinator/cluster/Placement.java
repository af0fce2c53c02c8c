package io.leann.coordinator.cluster;

import io.leann.shard.actor.IndexShards;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;

/**
 * Where index shards should run: shard ids of an index, and an even assignment of shards to shard
 * nodes. Each shard goes to the node holding the fewest shards so far, ties going to the node that
 * sorts first by address, so every coordinator computing a placement from the same inputs gets
 * the same answer. Stateless.
 */
final class Placement {
  /** A total order on addresses, so results do not depend on the order nodes were listed in. */
  static final Comparator<Address> ORDER = Comparator.comparing(Address::toString);

  private Placement() {}

  /** Entity (and Pekko shard) ids of the {@code shards} shards of {@code index}. */
  static List<String> shardIds(String index, int shards) {
    List<String> ids = new ArrayList<>(shards);
    for (int k = 0; k < shards; k++) {
      ids.add(IndexShards.entityId(index, k));
    }
    return ids;
  }

  /**
   * Places {@code shards}, in order, on {@code nodes}, counting the placements in {@code fixed} as
   * load already there (placements on other nodes are ignored).
   *
   * @param nodes the nodes that may host shards; must not be empty
   * @return the new location of each of {@code shards}
   */
  static Map<String, Address> assign(List<String> shards, Map<String, Address> fixed, List<Address> nodes) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no node to place shards on");
    }
    List<Address> ordered = nodes.stream().sorted(ORDER).toList();
    Map<Address, Integer> load = new HashMap<>();
    ordered.forEach(n -> load.put(n, 0));
    fixed.values().forEach(a -> load.computeIfPresent(a, (n, c) -> c + 1));
    Map<String, Address> placed = new LinkedHashMap<>();
    for (String shard : shards) {
      Address target = ordered.get(0);
      for (Address n : ordered) {
        if (load.get(n) < load.get(target)) {
          target = n;
        }
      }
      placed.put(shard, target);
      load.merge(target, 1, Integer::sum);
    }
    return placed;
  }
}
