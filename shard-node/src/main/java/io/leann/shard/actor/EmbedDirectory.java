package io.leann.shard.actor;

import io.leann.protocol.cluster.EmbedWorkerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The embed workers this node can use, one directory per node: follows the Receptionist listing of
 * {@link EmbedEndpoint#SERVICE_KEY}, asks each new endpoint what it serves, and tells subscribers
 * (the node's shard actors) whenever the set of described, reachable workers changes. Coordinators
 * read it with {@link Get} to pick a worker for query and ingest embeddings.
 *
 * <p>Why a directory: the listing carries actor refs only, while shard actors need the ZMQ endpoint
 * and model of each worker; one describe per worker and node, rather than per shard actor, keeps
 * the traffic independent of how many shards a node hosts.
 *
 * <p>Invariants: {@code workers} holds only refs in the latest reachable listing; a ref is in at
 * most one of {@code workers} and {@code describing}; subscribers are told the full list, sorted by
 * endpoint, after every change and once on subscription; a waiter is answered exactly once, when a
 * worker for its model appears or when its time is up. An endpoint that does not answer its
 * describe within the timeout is asked again, as long as it is listed.
 */
public final class EmbedDirectory extends AbstractBehavior<EmbedDirectory.Command> {

  public sealed interface Command permits Subscribe, Unsubscribe, Get, AwaitServing, ListingChanged,
      Described, DescribeFailed, WaitExpired {}

  /** Sends the current workers to {@code subscriber} now and after every change. */
  public record Subscribe(ActorRef<Workers> subscriber) implements Command {}

  /** Stops the updates to {@code subscriber}. */
  public record Unsubscribe(ActorRef<Workers> subscriber) implements Command {}

  /** Replies with the current workers once. */
  public record Get(ActorRef<Workers> replyTo) implements Command {}

  /**
   * Replies with the workers as soon as one serves {@code model} with {@code maxSeqLength}
   * ({@link EmbedWorkerInfo#serves}), or with the current ones after {@code within}: for callers
   * that have no other way to embed and would rather wait out a worker that is still joining than fail.
   */
  public record AwaitServing(String model, Integer maxSeqLength, Duration within, ActorRef<Workers> replyTo)
      implements Command {
    boolean servedBy(Workers workers) {
      return workers.all().stream().anyMatch(w -> w.info().serves(model, 0, maxSeqLength));
    }
  }

  private record WaitExpired(AwaitServing waiter) implements Command {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private record Described(ActorRef<EmbedEndpoint.Command> ref, EmbedWorkerInfo info) implements Command {}

  private record DescribeFailed(ActorRef<EmbedEndpoint.Command> ref) implements Command {}

  /** One reachable embed worker. */
  public record Worker(ActorRef<EmbedEndpoint.Command> ref, EmbedWorkerInfo info) {}

  /** The reachable, described embed workers, sorted by endpoint. */
  public record Workers(List<Worker> all) {
    public Workers {
      all = List.copyOf(all);
    }

    /** Workers embedding as an index of this model, dimensions and max sequence length was embedded. */
    public List<Worker> serving(String model, int dimensions, Integer maxSeqLength) {
      return all.stream().filter(w -> w.info().serves(model, dimensions, maxSeqLength)).toList();
    }

    /** ZMQ endpoints of the workers {@link #serving} such an index. */
    public List<String> endpointsFor(String model, int dimensions, Integer maxSeqLength) {
      return serving(model, dimensions, maxSeqLength).stream().map(w -> w.info().endpoint()).toList();
    }
  }

  private final Duration describeTimeout;
  private final Map<ActorRef<EmbedEndpoint.Command>, EmbedWorkerInfo> workers = new LinkedHashMap<>();
  private final Set<ActorRef<EmbedEndpoint.Command>> describing = new HashSet<>();
  private final Set<ActorRef<Workers>> subscribers = new HashSet<>();
  private final Set<AwaitServing> waiters = new HashSet<>();
  private final TimerScheduler<Command> timers;
  private Set<ActorRef<EmbedEndpoint.Command>> listed = Set.of();

  private EmbedDirectory(ActorContext<Command> context, TimerScheduler<Command> timers,
      Duration describeTimeout) {
    super(context);
    this.timers = timers;
    this.describeTimeout = describeTimeout;
  }

  public static Behavior<Command> create(Duration describeTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(EmbedEndpoint.SERVICE_KEY,
          ctx.messageAdapter(Receptionist.Listing.class, ListingChanged::new)));
      return new EmbedDirectory(ctx, timers, describeTimeout);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Get.class, this::onGet)
        .onMessage(AwaitServing.class, this::onAwaitServing)
        .onMessage(WaitExpired.class, this::onWaitExpired)
        .onMessage(ListingChanged.class, this::onListingChanged)
        .onMessage(Described.class, this::onDescribed)
        .onMessage(DescribeFailed.class, this::onDescribeFailed)
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe m) {
    subscribers.add(m.subscriber());
    m.subscriber().tell(snapshot());
    return this;
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe m) {
    subscribers.remove(m.subscriber());
    return this;
  }

  private Behavior<Command> onGet(Get m) {
    m.replyTo().tell(snapshot());
    return this;
  }

  private Behavior<Command> onAwaitServing(AwaitServing m) {
    Workers snapshot = snapshot();
    if (m.servedBy(snapshot)) {
      m.replyTo().tell(snapshot);
    } else {
      waiters.add(m);
      timers.startSingleTimer(m, new WaitExpired(m), m.within());
    }
    return this;
  }

  private Behavior<Command> onWaitExpired(WaitExpired m) {
    if (waiters.remove(m.waiter())) {
      m.waiter().replyTo().tell(snapshot());
    }
    return this;
  }

  private Behavior<Command> onListingChanged(ListingChanged m) {
    // Reachable instances only: a worker on an unreachable node is as good as gone for recompute.
    listed = Set.copyOf(m.listing().getServiceInstances(EmbedEndpoint.SERVICE_KEY));
    describing.retainAll(listed);
    boolean removed = workers.keySet().retainAll(listed);
    for (ActorRef<EmbedEndpoint.Command> ref : listed) {
      if (!workers.containsKey(ref) && !describing.contains(ref)) {
        describe(ref);
      }
    }
    if (removed) {
      publish();
    }
    return this;
  }

  private void describe(ActorRef<EmbedEndpoint.Command> ref) {
    describing.add(ref);
    getContext().ask(EmbedWorkerInfo.class, ref, describeTimeout, EmbedEndpoint.Describe::new,
        (info, failure) -> info != null ? new Described(ref, info) : new DescribeFailed(ref));
  }

  private Behavior<Command> onDescribed(Described m) {
    if (describing.remove(m.ref()) && listed.contains(m.ref())) {
      workers.put(m.ref(), m.info());
      getContext().getLog().info("embed worker {} ({}) available", m.info().endpoint(),
          EmbedWorkerInfo.describe(m.info().model(), m.info().maxSeqLength()));
      publish();
    }
    return this;
  }

  private Behavior<Command> onDescribeFailed(DescribeFailed m) {
    if (describing.remove(m.ref()) && listed.contains(m.ref())) {
      getContext().getLog().warn("embed endpoint {} did not describe itself within {}; asking again",
          m.ref(), describeTimeout);
      describe(m.ref());
    }
    return this;
  }

  private void publish() {
    Workers snapshot = snapshot();
    subscribers.forEach(s -> s.tell(snapshot));
    waiters.removeIf(w -> {
      boolean served = w.servedBy(snapshot);
      if (served) {
        timers.cancel(w);
        w.replyTo().tell(snapshot);
      }
      return served;
    });
  }

  private Workers snapshot() {
    List<Worker> all = new ArrayList<>();
    workers.forEach((ref, info) -> all.add(new Worker(ref, info)));
    all.sort(Comparator.comparing((Worker w) -> w.info().endpoint()));
    return new Workers(all);
  }
}
