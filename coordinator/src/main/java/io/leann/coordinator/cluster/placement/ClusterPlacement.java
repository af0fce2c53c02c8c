package io.leann.coordinator.cluster.placement;

import io.leann.coordinator.cluster.ClusterLeannService;
import io.leann.coordinator.cluster.ClusterSettings;
import io.leann.coordinator.cluster.catalog.Catalog;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ClusterView;
import io.leann.protocol.api.NodeInfo;
import io.leann.protocol.api.ShardPlacement;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.Replication;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardActor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
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
 * Where the shard replicas of the cluster's indexes run, and the admin operations that change it.
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
            Behaviors.supervise(PlacementKeeper.create(catalog, allocation, settings.placementInterval()))
                .onFailure(SupervisorStrategy.restart()), "placement-keeper")
        .withSettings(ClusterSingletonSettings.create(system).withRole(ClusterLeannService.ROLE)));
  }

  /** The placement keeper, which ingest asks to place an index's shards before it builds them. */
  public ActorRef<PlacementKeeper.Command> keeper() {
    return keeper;
  }

  /**
   * Stops the started replicas of {@code index} numbered {@code fromReplica} and up, wherever they
   * run: all of a deleted index (0), or those a lower replication factor no longer asks for.
   */
  public CompletionStage<Done> stopReplicas(String index, int fromReplica) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return actualLocations().thenApply(actual -> {
      actual.keySet().stream()
          .filter(id -> IndexShards.Id.parse(id).index().equals(index) && IndexShards.Id.parse(id).replica() >= fromReplica)
          .forEach(id -> sharding.entityRefFor(IndexShards.TYPE_KEY, id).tell(ShardActor.Stop.INSTANCE));
      return Done.getInstance();
    });
  }

  /** The replicas that run per shard of {@code index} with the shard nodes up now. */
  public int copies(String index) {
    return copies(index, upShardNodes());
  }

  /** The replicas that run per shard of {@code index} with {@code nodes} shard nodes. */
  private int copies(String index, List<Address> nodes) {
    return Replication.effective(catalog.replication(index), nodes.size());
  }

  public CompletionStage<List<ShardPlacement>> shards() {
    List<IndexEntry> published = publishedIndexes();
    List<Address> nodes = upShardNodes();
    return desiredLocations().thenCombine(actualLocations(), (desired, actual) -> {
      List<ShardPlacement> placements = new ArrayList<>();
      for (IndexEntry e : published) {
        placements.addAll(placements(e.name(), e.shards(), copies(e.name(), nodes), desired, actual, nodes));
      }
      return placements;
    });
  }

  private List<IndexEntry> publishedIndexes() {
    return catalog.registry().snapshot().values().stream()
        .filter(e -> e.generation() != null)
        .sorted(Comparator.comparing(IndexEntry::name))
        .toList();
  }

  public CompletionStage<ShardPlacement> moveShard(String index, int shard, int replica, String node) {
    Address target;
    List<Address> nodes = upShardNodes();
    try {
      IndexEntry entry = catalog.entry(index);
      if (entry.generation() == null || shard < 0 || shard >= entry.shards() || replica < 0
          || replica >= copies(index, nodes)) {
        throw ApiException.notFound("shard", IndexShards.entityId(index, shard, Math.max(0, replica)));
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
      if (!nodes.contains(target)) {
        throw ApiException.badRequest("node", "'" + node + "' is not an Up node with the shard role; shard nodes: "
            + nodes);
      }
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    String id = IndexShards.entityId(index, shard, replica);
    int copies = copies(index, nodes);
    return desiredLocations().thenCompose(desired -> {
      for (int r = 0; r < copies; r++) {
        if (r != replica && target.equals(desired.get(IndexShards.entityId(index, shard, r)))) {
          throw ApiException.badRequest("node", "'" + node + "' already holds replica " + r + " of shard "
              + shard + ": two copies of a shard never share a node");
        }
      }
      return allocation.setShardLocation(id, target);
    })
        .thenCompose(done -> actualLocations())
        .thenApply(actual -> new ShardPlacement(index, shard, replica, target.toString(), string(actual.get(id)),
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
    int copies = copies(index, nodes);
    return desiredLocations().thenCompose(desired -> {
      // Other indexes' replicas count as load, so ties in the spread go to the less loaded node.
      Map<String, Address> others = new HashMap<>();
      for (IndexEntry e : publishedIndexes()) {
        if (!e.name().equals(index)) {
          for (String id : Placement.replicaIds(e.name(), e.shards(), copies(e.name(), nodes))) {
            Address at = desired.get(id);
            if (at != null && nodes.contains(at)) {
              others.put(id, at);
            }
          }
        }
      }
      Map<String, Address> placed = Placement.spread(index, entry.shards(), copies, desired, others, nodes);
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
          .thenApply(actual -> placements(index, entry.shards(), copies, placed, actual, nodes));
    });
  }

  /**
   * Sets the replication factor of {@code index}, has the keeper place the replicas it now asks for,
   * and stops those it no longer does.
   */
  public CompletionStage<List<ShardPlacement>> setReplicas(String index, Integer replicas) {
    return catalog.setReplication(index, replicas).thenCompose(factor -> {
      IndexEntry entry = catalog.entry(index);
      if (entry.generation() == null) {
        return CompletableFuture.completedFuture(List.<ShardPlacement>of());
      }
      int copies = copies(index, upShardNodes());
      return AskPattern.<PlacementKeeper.Command, Done>askWithStatus(keeper,
              replyTo -> new PlacementKeeper.Ensure(index, entry.shards(), replyTo), adminTimeout, system.scheduler())
          .thenCompose(done -> stopReplicas(index, copies))
          .thenCompose(done -> shards())
          .thenApply(all -> all.stream().filter(p -> p.index().equals(index)).toList());
    });
  }

  /**
   * The cluster as {@code GET /admin/cluster} shows it: each member with the replicas it runs (and
   * their state, asked of each replica), what is moving and what is not placed on an Up node.
   */
  public CompletionStage<ClusterView> cluster() {
    List<Address> nodes = upShardNodes();
    List<IndexEntry> published = publishedIndexes();
    return desiredLocations().thenCombine(actualLocations(), (desired, actual) -> {
      List<ShardPlacement> moving = new ArrayList<>();
      List<ShardPlacement> unplaced = new ArrayList<>();
      List<ClusterView.IndexReplicas> indexes = new ArrayList<>();
      for (IndexEntry e : published) {
        int copies = copies(e.name(), nodes);
        Replication factor = catalog.replication(e.name());
        indexes.add(new ClusterView.IndexReplicas(e.name(), e.shards(), factor == null ? null : factor.replicas(),
            copies));
        for (ShardPlacement p : placements(e.name(), e.shards(), copies, desired, actual, nodes)) {
          if (p.desiredNode() == null || !nodes.contains(AddressFromURIString.parse(p.desiredNode()))) {
            unplaced.add(p);
          } else if (p.actualNode() != null && !p.actualNode().equals(p.desiredNode())) {
            moving.add(new ShardPlacement(p.index(), p.shard(), p.replica(), p.desiredNode(), p.actualNode(),
                "moving: handoff from " + p.actualNode() + " to " + p.desiredNode()));
          }
        }
      }
      return new Gathering(actual, indexes, moving, unplaced);
    }).thenCompose(g -> {
      List<CompletableFuture<ClusterView.Replica>> states = new ArrayList<>();
      List<Address> hosts = new ArrayList<>();
      ClusterSharding sharding = ClusterSharding.get(system);
      g.actual().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(started -> {
        IndexShards.Id id = IndexShards.Id.parse(started.getKey());
        hosts.add(started.getValue());
        states.add(sharding.entityRefFor(IndexShards.TYPE_KEY, started.getKey())
            .<ShardActor.State>ask(ShardActor.Describe::new, adminTimeout)
            .thenApply(state -> new ClusterView.Replica(id.index(), id.shard(), id.replica(),
                state.loading() ? "loading" : state.generation() != null ? "loaded" : "idle", state.generation()))
            .exceptionally(failure -> new ClusterView.Replica(id.index(), id.shard(), id.replica(), "unknown",
                null))
            .toCompletableFuture());
      });
      return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(all -> {
        Map<Address, List<ClusterView.Replica>> byNode = new HashMap<>();
        for (int i = 0; i < states.size(); i++) {
          byNode.computeIfAbsent(hosts.get(i), a -> new ArrayList<>()).add(states.get(i).join());
        }
        List<ClusterView.Node> members = new ArrayList<>();
        for (NodeInfo m : members()) {
          members.add(new ClusterView.Node(m.address(), m.roles(), m.status(),
              byNode.getOrDefault(AddressFromURIString.parse(m.address()), List.of())));
        }
        return new ClusterView(members, g.indexes(), g.moving(), g.unplaced());
      });
    });
  }

  /** The cluster's members: address, roles (without the data-center role) and status ("unreachable" first). */
  public List<NodeInfo> members() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    List<NodeInfo> nodes = new ArrayList<>();
    for (Member m : state.getMembers()) {
      List<String> roles = m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
      String status = state.getUnreachable().contains(m) ? "unreachable"
          : m.status().toString().toLowerCase(Locale.ROOT);
      nodes.add(new NodeInfo(m.address().toString(), roles, status));
    }
    return nodes;
  }

  /** What {@link #cluster} gathers before it asks the started replicas for their state. */
  private record Gathering(Map<String, Address> actual, List<ClusterView.IndexReplicas> indexes,
      List<ShardPlacement> moving, List<ShardPlacement> unplaced) {}

  private static List<ShardPlacement> placements(String index, int shards, int copies, Map<String, Address> desired,
      Map<String, Address> actual, List<Address> nodes) {
    Map<String, Address> wanted = new HashMap<>();
    for (String id : Placement.replicaIds(index, shards, copies)) {
      if (desired.get(id) != null) {
        wanted.put(id, desired.get(id));
      }
    }
    List<ShardPlacement> out = new ArrayList<>();
    for (int k = 0; k < shards; k++) {
      for (int r = 0; r < copies; r++) {
        String id = IndexShards.entityId(index, k, r);
        out.add(new ShardPlacement(index, k, r, string(desired.get(id)), string(actual.get(id)),
            Placement.reason(index, k, r, wanted, nodes)));
      }
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
    return Placement.upShardNodes(system);
  }
}
