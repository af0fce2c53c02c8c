package io.leann.coordinator.cluster.search;

import io.leann.shard.actor.IndexShards;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which shard replicas a search can expect an answer from: those whose desired location (the
 * external shard allocation) is an Up shard node that this node does not see as unreachable. A
 * replica on a node the failure detector has given up on is not asked at all, so after the
 * detection a dead node costs searches nothing; before it, hedging covers ({@link ReplicaSelector}).
 *
 * <p>The locations are read (a majority read of Distributed Data) every {@code refresh} in the
 * background and kept; membership is read per call from the cluster state. Thread-safe.
 */
final class ReplicaLocations {
  private static final Logger log = LoggerFactory.getLogger(ReplicaLocations.class);

  private final ActorSystem<?> system;
  private final ExternalShardAllocationClient allocation;
  private volatile Map<String, Address> desired = Map.of();

  ReplicaLocations(ActorSystem<?> system, Duration refresh) {
    this.system = system;
    this.allocation = ExternalShardAllocation.get(system).getClient(IndexShards.TYPE_KEY.name());
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, refresh, this::refresh, system.executionContext());
  }

  private void refresh() {
    allocation.getShardLocations().whenComplete((locations, failure) -> {
      if (failure != null) {
        log.debug("could not read shard locations: {}", failure.getMessage());
        return;
      }
      Map<String, Address> read = new HashMap<>();
      locations.getShardLocations().forEach((id, location) -> read.put(id, location.address()));
      desired = Map.copyOf(read);
    });
  }

  /** The replicas among {@code ids} placed on an Up, reachable shard node, in the given order. */
  List<String> servable(List<String> ids) {
    Set<Address> live = liveShardNodes();
    Map<String, Address> at = desired;
    return ids.stream().filter(id -> at.get(id) != null && live.contains(at.get(id))).toList();
  }

  /** The replicas among {@code ids} placed on a node that is not Up or not reachable, in the given order. */
  List<String> placedElsewhere(List<String> ids) {
    Set<Address> live = liveShardNodes();
    Map<String, Address> at = desired;
    return ids.stream().filter(id -> at.get(id) != null && !live.contains(at.get(id))).toList();
  }

  /** The Up shard nodes, reachable or not: how many copies of a shard can be placed. */
  int upShardNodes() {
    int up = 0;
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.status().equals(MemberStatus.up()) && m.hasRole(IndexShards.ROLE)) {
        up++;
      }
    }
    return up;
  }

  private Set<Address> liveShardNodes() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    Set<Address> unreachable = new HashSet<>();
    state.getUnreachable().forEach(m -> unreachable.add(m.address()));
    Set<Address> live = new HashSet<>();
    for (Member m : state.getMembers()) {
      if (m.status().equals(MemberStatus.up()) && m.hasRole(IndexShards.ROLE) && !unreachable.contains(m.address())) {
        live.add(m.address());
      }
    }
    return live;
  }
}
