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
 * Cluster Sharding of index shards: one entity per replica of an index shard, with entity id
 * {@code <index>/<k>} (replica 0) or {@code <index>/<k>/r<n>}, hosted only on nodes with role
 * {@value #ROLE}.
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

  /** Entity id, and Pekko shard id, of shard {@code shard} of {@code index} (its first replica). */
  public static String entityId(String index, int shard) {
    return index + "/" + shard;
  }

  /**
   * Entity id, and Pekko shard id, of replica {@code replica} of shard {@code shard} of
   * {@code index}: {@code <index>/<k>} for replica 0 (so an index without replicas keeps the ids it
   * always had), {@code <index>/<k>/r<replica>} for the others. Every replica loads the same files.
   */
  public static String entityId(String index, int shard, int replica) {
    return replica == 0 ? entityId(index, shard) : entityId(index, shard) + REPLICA_SEPARATOR + replica;
  }

  private static final String REPLICA_SEPARATOR = "/r";

  /** The parts of an entity id. */
  public record Id(String index, int shard, int replica) {
    /** Replica 0 of a shard. */
    public Id(String index, int shard) {
      this(index, shard, 0);
    }

    /**
     * @throws IllegalArgumentException if {@code entityId} is not {@code <index>/<k>} or
     *     {@code <index>/<k>/r<replica>} with a replica above 0
     */
    public static Id parse(String entityId) {
      int replica = 0;
      boolean suffixed = false;
      String shardId = entityId;
      int r = entityId.lastIndexOf(REPLICA_SEPARATOR);
      if (r > 0 && r + REPLICA_SEPARATOR.length() < entityId.length()) {
        try {
          replica = Integer.parseInt(entityId.substring(r + REPLICA_SEPARATOR.length()));
          shardId = entityId.substring(0, r);
          suffixed = true;
        } catch (NumberFormatException e) {
          // not a replica suffix: parsed below as <index>/<k>
        }
      }
      int slash = shardId.lastIndexOf('/');
      try {
        if (replica >= 0 && slash > 0 && slash < shardId.length() - 1 && suffixed == replica > 0) {
          int shard = Integer.parseInt(shardId.substring(slash + 1));
          if (shard >= 0) {
            return new Id(shardId.substring(0, slash), shard, replica);
          }
        }
      } catch (NumberFormatException e) {
        // reported below with the whole id
      }
      throw new IllegalArgumentException("entity id '" + entityId
          + "' is not <index>/<shard number> or <index>/<shard number>/r<replica number>");
    }

    @Override
    public String toString() {
      return entityId(index, shard, replica);
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
