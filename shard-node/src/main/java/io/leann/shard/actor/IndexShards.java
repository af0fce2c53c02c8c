package io.leann.shard.actor;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.japi.function.Function;
import org.zeromq.ZContext;

/**
 * Cluster Sharding of index shards: one entity per index shard, with entity id
 * {@code <index>/<k>}, hosted only on nodes with role {@value #ROLE}.
 *
 * <p>Placement is an explicit decision: the Pekko shard id equals the entity id (one entity per
 * Pekko shard, so the id is predictable), and the {@link ExternalShardAllocationStrategy} puts
 * each shard where the external allocation client of {@link #TYPE_KEY} says, moving it when told.
 * A shard with no location, or one on a node that is gone, is allocated to the node that asked for
 * it; the coordinator therefore assigns a location to every shard before it is used.
 */
public final class IndexShards {

  public static final EntityTypeKey<ShardActor.Command> TYPE_KEY =
      EntityTypeKey.create(ShardActor.Command.class, "IndexShard");

  /** Cluster role of the nodes that host shard entities. */
  public static final String ROLE = "shard";

  private IndexShards() {}

  /** Entity id, and Pekko shard id, of shard {@code shard} of {@code index}. */
  public static String entityId(String index, int shard) {
    return index + "/" + shard;
  }

  /** The parts of an entity id. */
  public record Id(String index, int shard) {
    /**
     * @throws IllegalArgumentException if {@code entityId} is not {@code <index>/<k>}
     */
    public static Id parse(String entityId) {
      int slash = entityId.lastIndexOf('/');
      try {
        if (slash > 0 && slash < entityId.length() - 1) {
          int shard = Integer.parseInt(entityId.substring(slash + 1));
          if (shard >= 0) {
            return new Id(entityId.substring(0, slash), shard);
          }
        }
      } catch (NumberFormatException e) {
        // reported below with the whole id
      }
      throw new IllegalArgumentException("entity id '" + entityId + "' is not <index>/<shard number>");
    }

    @Override
    public String toString() {
      return entityId(index, shard);
    }
  }

  /** Pekko shard id = entity id, so that the allocation client addresses exactly one index shard. */
  static final class Extractor
      extends ShardingMessageExtractor<ShardingEnvelope<ShardActor.Command>, ShardActor.Command> {
    @Override
    public String entityId(ShardingEnvelope<ShardActor.Command> envelope) {
      return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
      return entityId;
    }

    @Override
    public ShardActor.Command unwrapMessage(ShardingEnvelope<ShardActor.Command> envelope) {
      return envelope.message();
    }
  }

  /**
   * Starts the shard region of a node with the {@value #ROLE} role.
   *
   * @param directory the node's embed worker directory
   * @param zmq the node's ZMQ context for recompute sockets
   * @param metrics the node's shard metrics
   */
  public static ActorRef<ShardingEnvelope<ShardActor.Command>> init(ActorSystem<?> system,
      ShardSettings settings, ActorRef<EmbedDirectory.Command> directory, ZContext zmq, ShardMetrics metrics) {
    return ClusterSharding.get(system).init(entity(system, settings.allocationTimeout(),
        ctx -> ShardActor.create(ctx.getEntityId(), settings, directory, zmq, metrics)));
  }

  /**
   * Starts a proxy on a node without the {@value #ROLE} role, through which it sends to the shards;
   * Cluster Sharding never creates entities on such a node.
   */
  public static ActorRef<ShardingEnvelope<ShardActor.Command>> initProxy(ActorSystem<?> system,
      Duration allocationTimeout) {
    return ClusterSharding.get(system).init(entity(system, allocationTimeout, ctx -> {
      throw new IllegalStateException("entity " + ctx.getEntityId() + " asked for on a node without the "
          + ROLE + " role");
    }));
  }

  private static Entity<ShardActor.Command, ShardingEnvelope<ShardActor.Command>> entity(
      ActorSystem<?> system, Duration allocationTimeout,
      Function<EntityContext<ShardActor.Command>, Behavior<ShardActor.Command>> create) {
    return Entity.of(TYPE_KEY, create)
        .withRole(ROLE)
        .withStopMessage(ShardActor.Stop.INSTANCE)
        .withMessageExtractor(new Extractor())
        .withAllocationStrategy(
            ExternalShardAllocationStrategy.create(system, TYPE_KEY.name(), allocationTimeout));
  }
}
