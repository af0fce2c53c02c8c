package io.leann.coordinator.cluster;

import io.leann.protocol.cluster.CborSerializable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.pattern.StatusReply;

/**
 * A string-keyed map every node holds a replica of, kept with Distributed Data as one
 * {@link LWWMap} (the last write of a key wins): the index registry and the job table.
 *
 * <p>Reads are local and free: {@link #snapshot()} returns this node's replica as of the last change
 * it saw, so the search path pays nothing for the registry. Writes go to a majority of nodes
 * within the write timeout; when the timeout passes, the local write still stands and reaches the
 * other nodes by gossip, so a write is only reported failed when this node could not apply it.
 * After a write completes, this node's {@link #snapshot()} shows it (read your own writes); other
 * nodes see it once it has replicated to them.
 *
 * <p>One owner actor per map performs the writes and follows the changes, so the snapshot is only
 * ever replaced in the order the replicator reported the versions. Thread-safe.
 *
 * @param <V> value type; it crosses the cluster, hence {@link CborSerializable}
 */
public final class ReplicatedMap<V extends CborSerializable> {

  private sealed interface Command<V> {}

  private record Put<V>(String key, Function<V, V> update, ActorRef<StatusReply<Done>> replyTo)
      implements Command<V> {}

  private record Remove<V>(String key, ActorRef<StatusReply<Done>> replyTo) implements Command<V> {}

  private record Changed<V>(Map<String, V> entries) implements Command<V> {}

  private record Written<V>(Replicator.UpdateResponse<LWWMap<String, V>> response,
      ActorRef<StatusReply<Done>> replyTo) implements Command<V> {}

  private record Reread<V>(Replicator.GetResponse<LWWMap<String, V>> response,
      ActorRef<StatusReply<Done>> replyTo) implements Command<V> {}

  private final ActorRef<Command<V>> owner;
  private final AtomicReference<Map<String, V>> snapshot;
  private final ActorSystem<?> system;
  private final Duration writeTimeout;

  private ReplicatedMap(ActorRef<Command<V>> owner, AtomicReference<Map<String, V>> snapshot,
      ActorSystem<?> system, Duration writeTimeout) {
    this.owner = owner;
    this.snapshot = snapshot;
    this.system = system;
    this.writeTimeout = writeTimeout;
  }

  /**
   * Starts following the map named {@code name} on this node.
   *
   * @param writeTimeout how long a write waits for a majority
   */
  public static <V extends CborSerializable> ReplicatedMap<V> start(ActorSystem<?> system, String name,
      Duration writeTimeout) {
    AtomicReference<Map<String, V>> snapshot = new AtomicReference<>(Map.of());
    Key<LWWMap<String, V>> key = LWWMapKey.create(name);
    ActorRef<Command<V>> owner = system.systemActorOf(
        ownerBehavior(key, snapshot, writeTimeout), "replicated-" + name, Props.empty());
    return new ReplicatedMap<>(owner, snapshot, system, writeTimeout);
  }

  /** This node's replica: immutable, current as of the last change this node saw. */
  public Map<String, V> snapshot() {
    return snapshot.get();
  }

  /** The value of {@code key} in this node's replica, or null. */
  public V get(String key) {
    return snapshot.get().get(key);
  }

  /** Sets {@code key} to {@code value}. */
  public CompletionStage<Done> put(String key, V value) {
    return update(key, ignored -> value);
  }

  /**
   * Replaces the value of {@code key} with {@code update} applied to the value this node holds
   * (null when absent) at the moment of the write; an update returning null leaves the map as is.
   */
  public CompletionStage<Done> update(String key, Function<V, V> update) {
    return AskPattern.askWithStatus(owner, replyTo -> new Put<>(key, update, replyTo),
        writeTimeout.multipliedBy(2), system.scheduler());
  }

  /** Removes {@code key}. */
  public CompletionStage<Done> remove(String key) {
    return AskPattern.askWithStatus(owner, replyTo -> new Remove<>(key, replyTo),
        writeTimeout.multipliedBy(2), system.scheduler());
  }

  private static <V> Behavior<Command<V>> ownerBehavior(Key<LWWMap<String, V>> key,
      AtomicReference<Map<String, V>> snapshot, Duration writeTimeout) {
    return Behaviors.setup(ctx -> DistributedData.<Command<V>, LWWMap<String, V>>withReplicatorMessageAdapter(
        replicator -> {
          SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          Replicator.WriteConsistency majority = new Replicator.WriteMajority(writeTimeout);
          replicator.subscribe(key, response -> response instanceof Replicator.Changed<LWWMap<String, V>> c
              ? new Changed<>(c.get(key).getEntries()) : new Changed<>(Map.of()));
          return Behaviors.<Command<V>>receive((context, message) -> {
            switch (message) {
              case Changed<V> c -> snapshot.set(Map.copyOf(c.entries()));
              case Put<V> p -> replicator.askUpdate(
                  replyTo -> new Replicator.Update<>(key, LWWMap.create(), majority, replyTo, map -> {
                    V next = p.update().apply(map.getEntries().get(p.key()));
                    return next == null ? map : map.put(self, p.key(), next);
                  }),
                  response -> new Written<>(response, p.replyTo()));
              case Remove<V> r -> replicator.askUpdate(
                  replyTo -> new Replicator.Update<>(key, LWWMap.create(), majority, replyTo,
                      map -> map.remove(self, r.key())),
                  response -> new Written<>(response, r.replyTo()));
              case Written<V> w -> onWritten(replicator, key, w);
              case Reread<V> r -> {
                if (r.response() instanceof Replicator.GetSuccess<LWWMap<String, V>> s) {
                  snapshot.set(Map.copyOf(s.get(key).getEntries()));
                } else if (r.response() instanceof Replicator.NotFound<LWWMap<String, V>>) {
                  snapshot.set(Map.of());
                }
                r.replyTo().tell(StatusReply.ack());
              }
            }
            return Behaviors.same();
          });
        }));
  }

  private static <V> void onWritten(ReplicatorMessageAdapter<Command<V>, LWWMap<String, V>> replicator,
      Key<LWWMap<String, V>> key, Written<V> w) {
    // A timeout only means the majority did not confirm in time: the local replica has the write.
    if (w.response() instanceof Replicator.UpdateSuccess<LWWMap<String, V>>
        || w.response() instanceof Replicator.UpdateTimeout<LWWMap<String, V>>) {
      replicator.askGet(replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
          response -> new Reread<>(response, w.replyTo()));
    } else {
      w.replyTo().tell(StatusReply.error("replicated write to " + key.id() + " failed: " + w.response()));
    }
  }
}
