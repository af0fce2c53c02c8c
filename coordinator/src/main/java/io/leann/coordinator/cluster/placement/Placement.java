package io.leann.coordinator.cluster.placement;

import io.leann.shard.actor.IndexShards;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Where index shards should run: the entity ids of an index's shard replicas, an assignment of
 * them to shard nodes that spreads each index, and the reason a replica is where it is.
 *
 * <p>Rules, in order: two replicas of one shard never share a node (a replica that would have to is
 * left unplaced); a replica goes to the node holding the fewest replicas of its own index, then the
 * fewest in all, then the node that sorts first by address. So no node holds two shards of an index
 * while another node holds none of them (more generally, the replica counts of an index on any two
 * nodes differ by at most one, as far as the first rule allows), and every coordinator computing a
 * placement from the same inputs gets the same answer. Stateless.
 */
public final class Placement {
  /** A total order on addresses, so results do not depend on the order nodes were listed in. */
  static final Comparator<Address> ORDER = Comparator.comparing(Address::toString);

  public static final String SPREAD = "spread: fewest shards of this index";
  static final String ONLY_NODE = "only shard node";
  static final String UNPLACED = "not placed: no shard node was Up";

  private Placement() {}

  /** The Up members with the shard role, in {@link #ORDER}. */
  static List<Address> upShardNodes(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status().equals(MemberStatus.up()) && m.hasRole(IndexShards.ROLE))
        .map(Member::address)
        .sorted(ORDER)
        .toList();
  }

  /** Entity (and Pekko shard) ids of replica 0 of the {@code shards} shards of {@code index}. */
  static List<String> shardIds(String index, int shards) {
    return replicaIds(index, shards, 1);
  }

  /**
   * Entity ids of {@code replicas} replicas of each of the {@code shards} shards of {@code index}:
   * every shard's replica 0 first, then every shard's replica 1, and so on, so that placing them in
   * this order spreads the first copies before the others.
   */
  static List<String> replicaIds(String index, int shards, int replicas) {
    List<String> ids = new ArrayList<>(shards * replicas);
    for (int r = 0; r < replicas; r++) {
      for (int k = 0; k < shards; k++) {
        ids.add(IndexShards.entityId(index, k, r));
      }
    }
    return ids;
  }

  /**
   * Places {@code shards}, in order, on {@code nodes} by the rules, counting the placements in
   * {@code fixed} as replicas already there (placements on other nodes are ignored).
   *
   * @param nodes the nodes that may host shards; must not be empty
   * @return the new location of each of {@code shards} that has a node without another replica of
   *     its shard
   */
  static Map<String, Address> assign(List<String> shards, Map<String, Address> fixed, List<Address> nodes) {
    Load load = new Load(nodes, fixed);
    Map<String, Address> placed = new LinkedHashMap<>();
    for (String shard : shards) {
      IndexShards.Id id = IndexShards.Id.parse(shard);
      Address target = null;
      for (Address n : load.ordered) {
        if (!load.holds(id, n) && (target == null || load.compare(id.index(), n, target) < 0)) {
          target = n;
        }
      }
      if (target != null) {
        placed.put(shard, target);
        load.add(id, target, 1);
      }
    }
    // Greedy choices can corner a later replica (every node with room holds its shard); moving
    // the new placements among themselves restores the spread.
    Map<String, List<String>> byIndex = new LinkedHashMap<>();
    placed.keySet().forEach(id -> byIndex.computeIfAbsent(IndexShards.Id.parse(id).index(), i -> new ArrayList<>())
        .add(id));
    byIndex.forEach((index, ids) -> balance(index, ids, placed, load));
    return placed;
  }

  /**
   * Moves replicas among {@code movable} (last first) from the node with the most replicas of
   * {@code index} to the one with the fewest that holds none of their shard, while the two differ
   * by more than one and such a move exists.
   *
   * @param result the locations of {@code movable}, updated in place
   * @param load the counts {@code result} is part of, updated in place
   */
  private static void balance(String index, List<String> movable, Map<String, Address> result, Load load) {
    while (true) {
      List<Address> byCount = new ArrayList<>(load.ordered);
      byCount.sort((a, b) -> load.compare(index, a, b));
      String moved = null;
      Address from = null;
      Address to = null;
      // The fullest node first, to the emptiest node that holds no replica of the moved shard.
      for (int f = byCount.size() - 1; f >= 0 && moved == null; f--) {
        for (int e = 0; e < f && moved == null; e++) {
          if (load.ofIndex(index, byCount.get(f)) - load.ofIndex(index, byCount.get(e)) <= 1) {
            break;
          }
          for (int i = movable.size() - 1; i >= 0; i--) {
            String id = movable.get(i);
            if (byCount.get(f).equals(result.get(id)) && !load.holds(IndexShards.Id.parse(id), byCount.get(e))) {
              moved = id;
              from = byCount.get(f);
              to = byCount.get(e);
              break;
            }
          }
        }
      }
      if (moved == null) {
        break;
      }
      IndexShards.Id id = IndexShards.Id.parse(moved);
      result.put(moved, to);
      load.add(id, from, -1);
      load.add(id, to, 1);
    }
  }

  /**
   * The locations that spread {@code index} with the fewest moves: replicas on {@code nodes} stay
   * (but for a second replica of one shard on one node, which is placed again) unless their node
   * holds two or more replicas of the index than another node; those (last ids first) move to the
   * node with the fewest that holds no replica of their shard; replicas elsewhere are placed by
   * {@link #assign}.
   *
   * @param current where each replica of {@code index} should run now (missing: unplaced)
   * @param others placements of other indexes, counted as load
   * @param nodes the nodes that may host shards; must not be empty
   * @return the location of every replica of the index that can be placed, moved or not
   */
  static Map<String, Address> spread(String index, int shards, int replicas, Map<String, Address> current,
      Map<String, Address> others, List<Address> nodes) {
    List<String> ids = replicaIds(index, shards, replicas);
    Load load = new Load(nodes, others);
    Map<String, Address> result = new LinkedHashMap<>();
    List<String> unplaced = new ArrayList<>();
    for (String id : ids) {
      Address at = current.get(id);
      IndexShards.Id parsed = IndexShards.Id.parse(id);
      if (at != null && nodes.contains(at) && !load.holds(parsed, at)) {
        result.put(id, at);
        load.add(parsed, at, 1);
      } else {
        unplaced.add(id);
      }
    }
    Map<String, Address> fixed = new HashMap<>(others);
    fixed.putAll(result);
    assign(unplaced, fixed, nodes).forEach((id, at) -> {
      result.put(id, at);
      load.add(IndexShards.Id.parse(id), at, 1);
    });
    balance(index, ids, result, load);
    Map<String, Address> ordered = new LinkedHashMap<>();
    ids.stream().filter(result::containsKey).forEach(id -> ordered.put(id, result.get(id)));
    return ordered;
  }

  /**
   * Why replica {@code replica} of shard {@code shard} of {@code index} is at {@code desired},
   * judged from where the index's replicas are now: spread, on the only node, not placed, on a node
   * that is not Up, or off the spread (chosen by an administrator, or placed before a node joined).
   *
   * @param desired where each replica of the index should run
   * @param nodes the Up shard nodes
   */
  static String reason(String index, int shard, int replica, Map<String, Address> desired, List<Address> nodes) {
    Address at = desired.get(IndexShards.entityId(index, shard, replica));
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
      if (IndexShards.Id.parse(id).index().equals(index)) {
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

  /**
   * Replica counts per node, per index and in all, and which nodes hold a replica of each shard,
   * over a fixed list of nodes. Not thread safe.
   */
  private static final class Load {
    final List<Address> ordered;
    final Map<Address, Integer> total = new HashMap<>();
    final Map<String, Map<Address, Integer>> perIndex = new HashMap<>();
    /** Holders of each shard, by the id of its replica 0. */
    final Map<String, Map<Address, Integer>> holders = new HashMap<>();

    Load(List<Address> nodes, Map<String, Address> fixed) {
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("no node to place shards on");
      }
      ordered = nodes.stream().sorted(ORDER).toList();
      ordered.forEach(n -> total.put(n, 0));
      fixed.forEach((id, n) -> {
        if (total.containsKey(n)) {
          add(IndexShards.Id.parse(id), n, 1);
        }
      });
    }

    int ofIndex(String index, Address node) {
      return perIndex.getOrDefault(index, Map.of()).getOrDefault(node, 0);
    }

    /** Whether {@code node} holds a replica of the shard {@code id} is a replica of. */
    boolean holds(IndexShards.Id id, Address node) {
      return holders.getOrDefault(IndexShards.entityId(id.index(), id.shard()), Map.of()).getOrDefault(node, 0) > 0;
    }

    void add(IndexShards.Id id, Address node, int delta) {
      total.merge(node, delta, Integer::sum);
      perIndex.computeIfAbsent(id.index(), k -> new HashMap<>()).merge(node, delta, Integer::sum);
      holders.computeIfAbsent(IndexShards.entityId(id.index(), id.shard()), k -> new HashMap<>())
          .merge(node, delta, Integer::sum);
    }

    /** Negative when {@code a} is the better place for another replica of {@code index}. */
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
