package io.leann.coordinator.cluster.placement;

import io.leann.shard.actor.IndexShards;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;

/**
 * Where index shards should run: shard ids of an index, an assignment of shards to shard nodes
 * that spreads each index, and the reason a shard is where it is.
 *
 * <p>Spread rule: a shard goes to the node holding the fewest shards of its own index, then the
 * fewest shards in all, then the node that sorts first by address. So no node holds two shards of
 * an index while another node holds none of them (more generally, the shard counts of an index on
 * any two nodes differ by at most one), and every coordinator computing a placement from the same
 * inputs gets the same answer. Stateless.
 */
public final class Placement {
  /** A total order on addresses, so results do not depend on the order nodes were listed in. */
  static final Comparator<Address> ORDER = Comparator.comparing(Address::toString);

  public static final String SPREAD = "spread: fewest shards of this index";
  static final String ONLY_NODE = "only shard node";
  static final String UNPLACED = "not placed: no shard node was Up";

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
   * Places {@code shards}, in order, on {@code nodes} by the spread rule, counting the placements
   * in {@code fixed} as shards already there (placements on other nodes are ignored).
   *
   * @param nodes the nodes that may host shards; must not be empty
   * @return the new location of each of {@code shards}
   */
  static Map<String, Address> assign(List<String> shards, Map<String, Address> fixed, List<Address> nodes) {
    Load load = new Load(nodes, fixed);
    Map<String, Address> placed = new LinkedHashMap<>();
    for (String shard : shards) {
      String index = indexOf(shard);
      Address target = load.ordered.get(0);
      for (Address n : load.ordered) {
        if (load.compare(index, n, target) < 0) {
          target = n;
        }
      }
      placed.put(shard, target);
      load.add(index, target, 1);
    }
    return placed;
  }

  /**
   * The locations that spread {@code index} with the fewest moves: shards on {@code nodes} stay
   * unless their node holds two or more shards of the index than another node; those (highest
   * shard numbers first) move to the node with the fewest; shards elsewhere are placed by
   * {@link #assign}.
   *
   * @param current where each shard of {@code index} should run now (missing: unplaced)
   * @param others placements of other indexes, counted as load
   * @param nodes the nodes that may host shards; must not be empty
   * @return the location of every shard of the index, moved or not
   */
  static Map<String, Address> spread(String index, int shards, Map<String, Address> current,
      Map<String, Address> others, List<Address> nodes) {
    Map<String, Address> kept = new LinkedHashMap<>();
    List<String> unplaced = new ArrayList<>();
    for (String id : shardIds(index, shards)) {
      Address at = current.get(id);
      if (at != null && nodes.contains(at)) {
        kept.put(id, at);
      } else {
        unplaced.add(id);
      }
    }
    Map<String, Address> fixed = new HashMap<>(others);
    fixed.putAll(kept);
    Map<String, Address> result = new LinkedHashMap<>(kept);
    result.putAll(assign(unplaced, fixed, nodes));
    Load load = new Load(nodes, others);
    result.values().forEach(n -> load.add(index, n, 1));
    while (true) {
      Address fullest = load.ordered.get(0);
      Address emptiest = load.ordered.get(0);
      for (Address n : load.ordered) {
        if (load.compare(index, n, fullest) > 0) {
          fullest = n;
        }
        if (load.compare(index, n, emptiest) < 0) {
          emptiest = n;
        }
      }
      if (load.ofIndex(index, fullest) - load.ofIndex(index, emptiest) <= 1) {
        break;
      }
      String moved = null;
      for (String id : shardIds(index, shards)) {
        if (result.get(id).equals(fullest)) {
          moved = id;
        }
      }
      result.put(moved, emptiest);
      load.add(index, fullest, -1);
      load.add(index, emptiest, 1);
    }
    Map<String, Address> ordered = new LinkedHashMap<>();
    shardIds(index, shards).forEach(id -> ordered.put(id, result.get(id)));
    return ordered;
  }

  /**
   * Why shard {@code shard} of {@code index} is at {@code desired}, judged from where the index's
   * shards are now: spread, on the only node, not placed, on a node that is not Up, or off the
   * spread (chosen by an administrator, or placed before a node joined).
   *
   * @param desired where each shard of the index should run
   * @param nodes the Up shard nodes
   */
  static String reason(String index, int shard, Map<String, Address> desired, List<Address> nodes) {
    Address at = desired.get(IndexShards.entityId(index, shard));
    if (at == null) {
      return UNPLACED;
    }
    if (!nodes.contains(at)) {
      return "its node is not Up: moves once the node is removed";
    }
    if (nodes.size() == 1) {
      return ONLY_NODE;
    }
    Map<Address, Integer> counts = new HashMap<>();
    nodes.forEach(n -> counts.put(n, 0));
    desired.forEach((id, n) -> {
      if (indexOf(id).equals(index)) {
        counts.computeIfPresent(n, (k, c) -> c + 1);
      }
    });
    int fewest = counts.values().stream().min(Integer::compare).orElseThrow();
    if (counts.get(at) - fewest <= 1) {
      return SPREAD;
    }
    return "pinned by PUT /admin/indexes/" + index + "/shards/" + shard
        + " (or placed before a node joined): off the spread; POST /admin/indexes/" + index
        + "/rebalance spreads it";
  }

  private static String indexOf(String shardId) {
    return IndexShards.Id.parse(shardId).index();
  }

  /** Shard counts per node, per index and in all, over a fixed list of nodes. Not thread safe. */
  private static final class Load {
    final List<Address> ordered;
    final Map<Address, Integer> total = new HashMap<>();
    final Map<String, Map<Address, Integer>> perIndex = new HashMap<>();

    Load(List<Address> nodes, Map<String, Address> fixed) {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("no node to place shards on");
      }
      ordered = nodes.stream().sorted(ORDER).toList();
      ordered.forEach(n -> total.put(n, 0));
      fixed.forEach((id, n) -> {
        if (total.containsKey(n)) {
          add(indexOf(id), n, 1);
        }
      });
    }

    int ofIndex(String index, Address node) {
      return perIndex.getOrDefault(index, Map.of()).getOrDefault(node, 0);
    }

    void add(String index, Address node, int delta) {
      total.merge(node, delta, Integer::sum);
      perIndex.computeIfAbsent(index, k -> new HashMap<>()).merge(node, delta, Integer::sum);
    }

    /** Negative when {@code a} is the better place for another shard of {@code index}. */
    int compare(String index, Address a, Address b) {
      int byIndex = Integer.compare(ofIndex(index, a), ofIndex(index, b));
      if (byIndex != 0) {
        return byIndex;
      }
      int byTotal = Integer.compare(total.get(a), total.get(b));
      return byTotal != 0 ? byTotal : ORDER.compare(a, b);
    }
  }
}
