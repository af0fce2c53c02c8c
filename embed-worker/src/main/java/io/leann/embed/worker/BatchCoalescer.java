package io.leann.embed.worker;

import io.leann.embed.Embedder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The entry point of an embed pool: merges concurrent embedding requests into model batches and
 * splits each batch's vectors back to the requesters, so many small requests (one per search
 * expansion step) cost few model calls.
 *
 * <p>Policy: a request arriving at an empty buffer opens a window of
 * {@link EmbedSettings#batchWindow()}; the buffer is sent as a batch when it reaches
 * {@link EmbedSettings#maxBatchTexts()} texts or when the window has closed, but only while fewer
 * than {@link EmbedSettings#maxInFlight()} batches run. While every worker is busy, requests keep
 * accumulating, so under load batches grow towards the maximum and throughput grows with them; an
 * idle pool adds at most one window of latency. Requests are never split: one larger than the
 * maximum goes out alone, and the embedder splits it as its backend needs.
 *
 * <p>Invariants: requests are answered in the order their batches complete, each exactly once;
 * {@code pendingTexts} is the sum of the buffered requests' sizes; the window timer is active only
 * while the buffer holds requests.
 */
public final class BatchCoalescer extends AbstractBehavior<BatchCoalescer.Command> {

  /** Key under which an embed pool will be registered with the Receptionist once clustered. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "leann-embed-pool");

  public sealed interface Command {}

  /** Embed {@code texts}; the reply holds one vector per text, in order. */
  public record Embed(List<String> texts, ActorRef<StatusReply<float[][]>> replyTo) implements Command {
    public Embed {
      texts = List.copyOf(texts);
    }
  }

  private enum WindowClosed implements Command {
    INSTANCE
  }

  private record BatchDone(List<Embed> requests, float[][] vectors, Throwable failure, long startNanos)
      implements Command {}

  private final ActorRef<EmbedWorker.Command> workers;
  private final EmbedSettings settings;
  private final TimerScheduler<Command> timers;
  private final EmbedPoolMetrics metrics;
  private final ArrayDeque<Embed> pending = new ArrayDeque<>();
  private int pendingTexts;
  private int inFlight;

  private BatchCoalescer(ActorContext<Command> context, TimerScheduler<Command> timers,
      ActorRef<EmbedWorker.Command> workers, EmbedSettings settings, EmbedPoolMetrics metrics) {
    super(context);
    this.timers = timers;
    this.metrics = metrics;
    this.workers = workers;
    this.settings = settings;
  }

  /** A pool of {@link EmbedWorker}s running {@code embedder}, spawned as a child, behind a coalescer. */
  public static Behavior<Command> create(Embedder embedder, EmbedSettings settings, EmbedPoolMetrics metrics) {
    return Behaviors.setup(ctx ->
        create(ctx.spawn(EmbedWorker.pool(embedder, settings), "workers"), settings, metrics));
  }

  /** A coalescer in front of existing workers (a pool router or a single worker). */
  public static Behavior<Command> create(ActorRef<EmbedWorker.Command> workers, EmbedSettings settings,
      EmbedPoolMetrics metrics) {
    return Behaviors.setup(ctx -> {
      ctx.setLoggerName(BatchCoalescer.class);
      return Behaviors.withTimers(timers -> new BatchCoalescer(ctx, timers, workers, settings, metrics));
    });
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Embed.class, this::onEmbed)
        .onMessageEquals(WindowClosed.INSTANCE, this::onWindowClosed)
        .onMessage(BatchDone.class, this::onBatchDone)
        .build();
  }

  private Behavior<Command> onEmbed(Embed request) {
    if (request.texts().isEmpty()) {
      request.replyTo().tell(StatusReply.success(new float[0][]));
      return this;
    }
    if (pending.isEmpty() && settings.batchWindow().isPositive()) {
      timers.startSingleTimer(WindowClosed.INSTANCE, settings.batchWindow());
    }
    pending.addLast(request);
    pendingTexts += request.texts().size();
    flush();
    return this;
  }

  private Behavior<Command> onWindowClosed() {
    flush();
    return this;
  }

  private Behavior<Command> onBatchDone(BatchDone done) {
    inFlight--;
    metrics.batchDone(done.requests().stream().mapToInt(r -> r.texts().size()).sum(),
        Duration.ofNanos(System.nanoTime() - done.startNanos()), done.failure() == null);
    if (done.failure() != null) {
      int texts = done.requests().stream().mapToInt(r -> r.texts().size()).sum();
      String message = "embedding batch of " + texts + " texts failed: " + done.failure().getMessage();
      getContext().getLog().warn(message);
      done.requests().forEach(r -> r.replyTo().tell(StatusReply.error(message)));
    } else {
      int offset = 0;
      for (Embed request : done.requests()) {
        int n = request.texts().size();
        request.replyTo().tell(StatusReply.success(Arrays.copyOfRange(done.vectors(), offset, offset + n)));
        offset += n;
      }
    }
    flush();
    return this;
  }

  /** Sends batches while the policy allows (see the class comment). */
  private void flush() {
    while (!pending.isEmpty() && inFlight < settings.maxInFlight()
        && (pendingTexts >= settings.maxBatchTexts() || !timers.isTimerActive(WindowClosed.INSTANCE))) {
      send(takeBatch());
    }
    if (pending.isEmpty()) {
      timers.cancel(WindowClosed.INSTANCE);
    }
    metrics.queued(pending.size(), pendingTexts);
    metrics.inFlight(inFlight);
  }

  private List<Embed> takeBatch() {
    List<Embed> batch = new ArrayList<>();
    int texts = 0;
    while (!pending.isEmpty()
        && (batch.isEmpty() || texts + pending.peekFirst().texts().size() <= settings.maxBatchTexts())) {
      Embed next = pending.removeFirst();
      batch.add(next);
      texts += next.texts().size();
    }
    pendingTexts -= texts;
    return batch;
  }

  private void send(List<Embed> batch) {
    List<String> texts = new ArrayList<>();
    for (Embed request : batch) {
      texts.addAll(request.texts());
    }
    inFlight++;
    long start = System.nanoTime();
    getContext().askWithStatus(float[][].class, workers, settings.workerTimeout(),
        replyTo -> new EmbedWorker.Embed(texts, replyTo),
        (vectors, failure) -> new BatchDone(batch, vectors, failure, start));
  }
}
