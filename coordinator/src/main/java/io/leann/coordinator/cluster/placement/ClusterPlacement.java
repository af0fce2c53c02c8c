package io.leann.coordinator.cluster.placement;

import io.leann.coordinator.cluster.ClusterLeannService;
import io.leann.coordinator.cluster.ClusterSettings;
import io.leann.coordinator.cluster.catalog.Catalog;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ShardPlacement;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.pattern.Patterns;
import scala.jdk.javaapi.DurationConverters;

/**
 * Where the shards of the cluster's indexes run, and the admin operations that change it.
 *
 * <p>Desired locations are kept by the external shard allocation client; the {@link PlacementKeeper}
 * singleton fills them in for new shards and shards whose node is gone, {@link #moveShard} and
 * {@link #rebalance} set them on request, and sharding moves the entities (a handoff: the entity
 * stops on the old node and loads again on the new one). Actual locations come from the shard
 * regions' statistics.
 *
 * <p>Thread-safe; every method returns without blocking and completes exceptionally with an
 * {@link ApiException} for client errors.
 */
public final class ClusterPlacement {
  private final ActorSystem<?> system;
  private final Duration adminTimeout;
  private final Catalog catalog;
  private final ExternalShardAllocationClient allocation;
  private final ActorRef<PlacementKeeper.Command> keeper;

  /** Starts (or joins) the placement keeper singleton on the coordinator nodes. */
  public ClusterPlacement(ActorSystem<?> system, ClusterSettings settings, Catalog catalog) {
    this.system = system;
    this.adminTimeout = settings.adminTimeout();
    this.catalog = catalog;
    this.allocation = ExternalShardAllocation.get(system).getClient(IndexShards.TYPE_KEY.name());
    this.keeper = ClusterSingleton.get(system).init(SingletonActor.of(
            Behaviors.supervise(PlacementKeeper.create(catalog.registry(), allocation, settings.placementInterval()))
                .onFailure(SupervisorStrategy.restart()), "placement-keeper")
        .withSettings(ClusterSingletonSettings.create(system).withRole(ClusterLeannService.ROLE)));
  }

  /** The placement keeper, which ingest asks to place an index's shards before it builds them. */
  public ActorRef<PlacementKeeper.Command> keeper() {
    return keeper;
  }

  /** Stops the {@code shards} shard entities of a deleted index wherever they run. */
  public void stopShards(String index, int shards) {
    ClusterSharding sharding = ClusterSharding.get(system);
    for (int k = 0; k < shards; k++) {
      sharding.entityRefFor(IndexShards.TYPE_KEY, IndexShards.entityId(index, k)).tell(ShardActor.Stop.INSTANCE);
    }
  }

  public CompletionStage<List<ShardPlacement>> shards() {
    List<IndexEntry> published = catalog.registry().snapshot().values().stream()
        .filter(e -> e.generation() != null)
        .sorted(Comparator.comparing(IndexEntry::name))
        .toList();
    List<Address> nodes = upShardNodes();
    return desiredLocations().thenCombine(actualLocations(), (desired, actual) -> {
      List<ShardPlacement> placements = new ArrayList<>();
      for (IndexEntry e : published) {
        placements.addAll(placements(e.name(), e.shards(), desired, actual, nodes));
      }
      return placements;
    });
  }

  public CompletionStage<ShardPlacement> moveShard(String index, int shard, String node) {
    Address target;
    try {
      IndexEntry entry = catalog.entry(index);
      if (entry.generation() == null || shard < 0 || shard >= entry.shards()) {
        throw ApiException.notFound("shard", IndexShards.entityId(index, shard));
      }
      if (node == null || node.isBlank()) {
        throw ApiException.badRequest("node", "is required: the address of a shard node, e.g. "
            + Cluster.get(system).selfMember().address());
      }
      try {
        target = AddressFromURIString.parse(node.strip());
      } catch (Exception e) {
        // parse throws MalformedURLException, undeclared (it is Scala code).
        throw ApiException.badRequest("node", "is not a node address: " + e.getMessage());
      }
      List<Address> nodes = upShardNodes();
      if (!nodes.contains(target)) {
        throw ApiException.badRequest("node", "'" + node + "' is not an Up node with the shard role; shard nodes: "
            + nodes);
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    String id = IndexShards.entityId(index, shard);
    return allocation.setShardLocation(id, target)
        .thenCompose(done -> actualLocations())
        .thenApply(actual -> new ShardPlacement(index, shard, target.toString(), string(actual.get(id)),
            "pinned by PUT /admin/indexes/" + index + "/shards/" + shard));
  }

  public CompletionStage<List<ShardPlacement>> rebalance(String index) {
    IndexEntry entry;
    List<Address> nodes = upShardNodes();
    try {
      entry = catalog.entry(index);
      if (nodes.isEmpty()) {
        throw ApiException.unavailable("no shard node is Up");
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (entry.generation() == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    return desiredLocations().thenCompose(desired -> {
      // Other indexes' shards count as load, so ties in the spread go to the less loaded node.
      Map<String, Address> others = new HashMap<>();
      for (IndexEntry e : catalog.registry().snapshot().values()) {
        if (e.generation() != null && !e.name().equals(index)) {
          for (String id : Placement.shardIds(e.name(), e.shards())) {
            Address at = desired.get(id);
            if (at != null && nodes.contains(at)) {
              others.put(id, at);
            }
          }
        }
      }
      Map<String, Address> placed = Placement.spread(index, entry.shards(), desired, others, nodes);
      Map<String, Address> moved = new HashMap<>();
      placed.forEach((id, at) -> {
        if (!at.equals(desired.get(id))) {
          moved.put(id, at);
        }
      });
      CompletionStage<Done> written = moved.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance())
          : allocation.setShardLocations(moved);
      return written
          .thenCompose(done -> actualLocations())
          .thenApply(actual -> placements(index, entry.shards(), placed, actual, nodes));
    });
  }

  private static List<ShardPlacement> placements(String index, int shards, Map<String, Address> desired,
      Map<String, Address> actual, List<Address> nodes) {
    List<ShardPlacement> out = new ArrayList<>();
    for (int k = 0; k < shards; k++) {
      String id = IndexShards.entityId(index, k);
      out.add(new ShardPlacement(index, k, string(desired.get(id)), string(actual.get(id)),
          Placement.reason(index, k, desired, nodes)));
    }
    return out;
  }

  private static String string(Address address) {
    return address == null ? null : address.toString();
  }

  private CompletionStage<Map<String, Address>> desiredLocations() {
    return allocation.getShardLocations().thenApply(locations -> {
      Map<String, Address> desired = new HashMap<>();
      locations.getShardLocations().forEach((shard, location) -> desired.put(shard, location.address()));
      return desired;
    });
  }

  /**
   * Where each started shard runs now, from every shard region's statistics. Asks this node's
   * classic region or proxy: the typed {@code sharding.shardState()} answers an empty map on a node
   * that runs only a proxy (a coordinator without the shard role), because it checks
   * {@code ClusterSharding.getShardTypeNames()}, which lists regions but not proxies.
   */
  private CompletionStage<Map<String, Address>> actualLocations() {
    org.apache.pekko.actor.ActorRef shardRegion = org.apache.pekko.cluster.sharding.ClusterSharding
        .get(system.classicSystem()).shardRegion(IndexShards.TYPE_KEY.name());
    return Patterns.ask(shardRegion, new ShardRegion.GetClusterShardingStats(DurationConverters.toScala(adminTimeout)),
            adminTimeout.plusSeconds(1))
        .thenApply(reply -> {
          ShardRegion.ClusterShardingStats stats = (ShardRegion.ClusterShardingStats) reply;
          Map<String, Address> actual = new HashMap<>();
          stats.getRegions().forEach((address, region) ->
              region.getStats().keySet().forEach(shard -> actual.put(shard, address)));
          return actual;
        });
  }

  private List<Address> upShardNodes() {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status().equals(MemberStatus.up()) && m.hasRole(IndexShards.ROLE))
        .map(Member::address)
        .sorted(Placement.ORDER)
        .toList();
  }
}
