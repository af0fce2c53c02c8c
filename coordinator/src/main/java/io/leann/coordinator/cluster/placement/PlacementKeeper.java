package io.leann.coordinator.cluster.placement;

import io.leann.coordinator.cluster.catalog.Catalog;
import io.leann.protocol.cluster.CborSerializable;
import io.leann.protocol.cluster.Replication;
import io.leann.shard.actor.IndexShards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.pattern.StatusReply;
import scala.jdk.javaapi.DurationConverters;

/**
 * Keeps every replica of every shard of every published index placed on a live shard node (as many
 * replicas as the index's replication factor asks for and there are shard nodes, each shard's
 * replicas on distinct nodes); a cluster singleton on the coordinator nodes, so there is one writer
 * of automatic placements.
 *
 * <p>Why it is needed: the external allocation strategy allocates a shard with no location, or one
 * whose node is gone, to the node that asked for it, and a coordinator-only node asks through a
 * proxy that cannot host it; such a shard would stay unallocated. So the keeper gives each shard a
 * location on an Up shard node before it is used ({@link Ensure}, sent by ingest before it builds
 * graphs), when indexes appear (periodic check) and when shard nodes are removed (member events),
 * which is what brings a killed node's shards back. Locations chosen by an administrator are left
 * alone while their node is Up; new ones are spread per index ({@link Placement}).
 *
 * <p>Timing of a move off a dead node: its shards are only given a new location once the node has
 * been removed and the down-removal margin has passed, when the shard coordinator has released
 * them. Moving them earlier would make the coordinator start a handoff from the dead node, which
 * only ends at the handoff timeout; released shards are simply allocated at their new location.
 * Until then searches are answered by the shards' other replicas, or report shards without one
 * missing.
 *
 * <p>Invariants: at most one check runs at a time ({@code checking}); ensures that arrive during a
 * check wait for the next one, which starts as soon as the current one ends; {@code removedAt}
 * holds shard nodes removed less than the settle time ago.
 */
public final class PlacementKeeper extends AbstractBehavior<PlacementKeeper.Command> {

  public sealed interface Command permits Ensure, Tick, MembersChanged, LocationsRead, LocationsWritten {}

  /**
   * Places the {@code shards} shards of {@code index} (those without a live location) and acks once
   * the locations are written. Sent from any coordinator to the singleton, hence serialisable.
   */
  public record Ensure(String index, int shards, ActorRef<StatusReply<Done>> replyTo)
      implements Command, CborSerializable {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record MembersChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record LocationsRead(Map<String, Address> locations, Throwable failure) implements Command {}

  private record LocationsWritten(Map<String, Address> changes, Throwable failure) implements Command {}

  private final Catalog catalog;
  private final ExternalShardAllocationClient client;
  private final TimerScheduler<Command> timers;
  /** How long after its removal a node's shards are free to be allocated elsewhere. */
  private final Duration settle;
  private final Map<Address, Long> removedAt = new HashMap<>();
  private final List<Ensure> queued = new ArrayList<>();
  private List<Ensure> running = List.of();
  private boolean checking;
  private boolean checkAgain;

  private PlacementKeeper(ActorContext<Command> context, TimerScheduler<Command> timers,
      Catalog catalog, ExternalShardAllocationClient client) {
    super(context);
    this.timers = timers;
    this.catalog = catalog;
    this.client = client;
    // The shard coordinator releases a removed node's shards after the downing provider's margin.
    Duration margin = DurationConverters.toJava(
        org.apache.pekko.cluster.Cluster.get(context.getSystem().classicSystem()).downingProvider()
            .downRemovalMargin());
    this.settle = margin.plusSeconds(1);
  }

  /**
   * @param catalog the index registry and replication factors as replicated to the node the singleton runs on
   * @param client allocation client of {@link IndexShards#TYPE_KEY}
   * @param interval how often to look for published indexes with unplaced shards
   */
  public static Behavior<Command> create(Catalog catalog,
      ExternalShardAllocationClient client, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers((TimerScheduler<Command> timers) -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembersChanged::new),
          ClusterEvent.MemberEvent.class));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
      return new PlacementKeeper(ctx, timers, catalog, client);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ensure.class, this::onEnsure)
        .onMessageEquals(Tick.INSTANCE, this::onTrigger)
        .onMessage(MembersChanged.class, m -> onMembersChanged(m.event()))
        .onMessage(LocationsRead.class, this::onLocationsRead)
        .onMessage(LocationsWritten.class, this::onLocationsWritten)
        .build();
  }

  private Behavior<Command> onEnsure(Ensure ensure) {
    queued.add(ensure);
    return onTrigger();
  }

  private Behavior<Command> onMembersChanged(ClusterEvent.MemberEvent event) {
    if (!event.member().hasRole(IndexShards.ROLE)) {
      return this;
    }
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      removedAt.put(removed.member().address(), System.nanoTime());
      timers.startSingleTimer(removed.member().address(), Tick.INSTANCE, settle);
      return this;
    }
    return event instanceof ClusterEvent.MemberUp ? onTrigger() : this;
  }

  private Behavior<Command> onTrigger() {
    if (checking) {
      checkAgain = true;
    } else {
      startCheck();
    }
    return this;
  }

  private void startCheck() {
    checking = true;
    checkAgain = false;
    running = List.copyOf(queued);
    queued.clear();
    getContext().pipeToSelf(client.getShardLocations(), (locations, failure) -> {
      Map<String, Address> desired = new HashMap<>();
      if (locations != null) {
        locations.getShardLocations().forEach((shard, location) -> desired.put(shard, location.address()));
      }
      return new LocationsRead(desired, failure);
    });
  }

  private Behavior<Command> onLocationsRead(LocationsRead read) {
    if (read.failure() != null) {
      return finish("reading shard locations failed: " + read.failure().getMessage());
    }
    List<Address> nodes = upShardNodes();
    Set<Address> members = memberAddresses();
    long now = System.nanoTime();
    removedAt.values().removeIf(at -> now - at >= settle.toNanos());
    Set<String> wanted = new LinkedHashSet<>();
    catalog.registry().snapshot().values().stream()
        .filter(e -> e.generation() != null)
        .forEach(e -> wanted.addAll(replicaIds(e.name(), e.shards(), nodes.size())));
    running.forEach(e -> wanted.addAll(replicaIds(e.index(), e.shards(), nodes.size())));
    Map<String, Address> live = new HashMap<>();
    List<String> unplaced = new ArrayList<>();
    for (String shard : wanted) {
      Address at = read.locations().get(shard);
      if (at != null && nodes.contains(at)) {
        live.put(shard, at);
      } else if (at == null || !(members.contains(at) || removedAt.containsKey(at))) {
        unplaced.add(shard);
      }
      // Otherwise its node is leaving, down or just removed: the shard moves once it is released.
    }
    if (unplaced.isEmpty()) {
      return finish(null);
    }
    if (nodes.isEmpty()) {
      return finish("no shard node is Up to place " + unplaced.size() + " shards on");
    }
    Map<String, Address> changes = Placement.assign(unplaced, live, nodes);
    getContext().pipeToSelf(client.setShardLocations(changes),
        (done, failure) -> new LocationsWritten(changes, failure));
    return this;
  }

  /** The replicas of {@code index} that should run on {@code nodes} shard nodes. */
  private List<String> replicaIds(String index, int shards, int nodes) {
    return Placement.replicaIds(index, shards, Replication.effective(catalog.replication(index), nodes));
  }

  private Behavior<Command> onLocationsWritten(LocationsWritten written) {
    if (written.failure() != null) {
      return finish("writing shard locations failed: " + written.failure().getMessage());
    }
    getContext().getLog().info("placed shards {}", written.changes());
    // Tell local subscribers now rather than at the next notification tick: when the shard
    // coordinator runs on this node, its allocation strategy sees the locations before the shards
    // it is about to be asked for (an ingest's graph builds follow the ack at once).
    DistributedData.get(getContext().getSystem()).replicator().tell(Replicator.flushChanges());
    return finish(null);
  }

  /** Ends the running check, answering its ensures, and starts the next one if one is due. */
  private Behavior<Command> finish(String failure) {
    if (failure != null) {
      getContext().getLog().warn(failure);
    }
    StatusReply<Done> reply = failure == null ? StatusReply.ack() : StatusReply.error(failure);
    running.forEach(e -> e.replyTo().tell(reply));
    running = List.of();
    checking = false;
    if (checkAgain || !queued.isEmpty()) {
      startCheck();
    }
    return this;
  }

  private Set<Address> memberAddresses() {
    Iterable<Member> members = Cluster.get(getContext().getSystem()).state().getMembers();
    return StreamSupport.stream(members.spliterator(), false).map(Member::address)
        .collect(Collectors.toSet());
  }

  private List<Address> upShardNodes() {
    return Placement.upShardNodes(getContext().getSystem());
  }
}
