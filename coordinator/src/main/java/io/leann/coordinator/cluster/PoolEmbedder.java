package io.leann.coordinator.cluster;

import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.protocol.RequestIds;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.cluster.EmbedWorkerInfo;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.Vectors;
import io.leann.shard.actor.EmbedDirectory;
import io.leann.shard.actor.EmbedEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Embeds texts for coordinators, through the embed pool: each request goes to an embed node
 * serving the wanted model (round robin over those the node's {@link EmbedDirectory} lists), and on
 * to the next one if it fails or times out. When no embed node serves the model, and the fallback is
 * enabled, the texts are embedded in this process by a local embedder of the same model, created on
 * first use and kept; without the fallback, a request waits up to its timeout for a worker of the
 * model to appear (one still joining the cluster) before it fails.
 *
 * <p>Thread-safe. Local embedding blocks, so it runs on the executor given at construction.
 */
public final class PoolEmbedder implements AutoCloseable {
  private final ActorSystem<?> system;
  private final ActorRef<EmbedDirectory.Command> directory;
  private final Duration directoryTimeout;
  private final boolean localFallback;
  private final Map<String, String> env;
  private final Executor blocking;
  private final AtomicInteger next = new AtomicInteger();
  private final Map<String, Embedder> locals = new ConcurrentHashMap<>();

  /**
   * @param directoryTimeout how long the local directory may take to list the workers
   */
  PoolEmbedder(ActorSystem<?> system, ActorRef<EmbedDirectory.Command> directory, Duration directoryTimeout,
      boolean localFallback, Map<String, String> env, Executor blocking) {
    this.system = system;
    this.directory = directory;
    this.directoryTimeout = directoryTimeout;
    this.localFallback = localFallback;
    this.env = env;
    this.blocking = blocking;
  }

  /**
   * One vector per text, in order, embedded as {@code index}'s texts were: its model, dimensions (0
   * while not known yet) and {@code max_seq_length}.
   *
   * @param timeout how long each worker may take before the next one is tried
   * @return a stage failing with {@link ApiException} 503 when no worker and no local model can embed
   */
  public CompletionStage<float[][]> embed(IndexEntry index, List<String> texts, Duration timeout) {
    String mode = index.embeddingMode();
    String model = index.model();
    Integer maxSeqLength = index.maxSeqLength();
    // The caller's request id goes with the request, so the embed node logs under it too.
    String requestId = RequestIds.current();
    // Without a local model to fall back on, a worker that is still joining is worth waiting for.
    CompletionStage<EmbedDirectory.Workers> listed = localFallback
        ? AskPattern.ask(directory, EmbedDirectory.Get::new, directoryTimeout, system.scheduler())
        : AskPattern.ask(directory, replyTo -> new EmbedDirectory.AwaitServing(model, maxSeqLength, timeout, replyTo),
            timeout.plus(directoryTimeout), system.scheduler());
    return listed.thenCompose(workers -> {
      List<ActorRef<EmbedEndpoint.Command>> refs = new ArrayList<>();
      for (EmbedDirectory.Worker w : workers.all()) {
        if (w.info().serves(model, index.dimensions(), maxSeqLength)) {
          refs.add(w.ref());
        }
      }
      int start = refs.isEmpty() ? 0 : Math.floorMod(next.getAndIncrement(), refs.size());
      return attempt(refs, start, 0, mode, model, maxSeqLength, texts, requestId, timeout, new ArrayList<>());
    });
  }

  private CompletionStage<float[][]> attempt(List<ActorRef<EmbedEndpoint.Command>> refs, int start,
      int tried, String mode, String model, Integer maxSeqLength, List<String> texts, String requestId,
      Duration timeout, List<String> failures) {
    if (tried == refs.size()) {
      return local(mode, model, maxSeqLength, texts, failures);
    }
    ActorRef<EmbedEndpoint.Command> worker = refs.get((start + tried) % refs.size());
    return AskPattern.<EmbedEndpoint.Command, Vectors>askWithStatus(worker,
            replyTo -> new EmbedEndpoint.Embed(texts, requestId, replyTo), timeout, system.scheduler())
        .thenApply(Vectors::vectors)
        .handle((vectors, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedStage(vectors);
          }
          failures.add(worker.path().address() + ": " + failure.getMessage());
          return attempt(refs, start, tried + 1, mode, model, maxSeqLength, texts, requestId, timeout, failures);
        })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<float[][]> local(String mode, String model, Integer maxSeqLength, List<String> texts,
      List<String> failures) {
    String variant = EmbedWorkerInfo.describe(model, maxSeqLength);
    String why = failures.isEmpty() ? "no embed worker serves " + variant
        : "every embed worker serving " + variant + " failed (" + String.join("; ", failures) + ")";
    if (!localFallback) {
      return CompletableFuture.failedStage(ApiException.unavailable(why));
    }
    return CompletableFuture.supplyAsync(() -> {
      Embedder embedder = locals.computeIfAbsent(mode + "\n" + variant, key -> EmbedderFactory.create(mode, model, env,
          maxSeqLength == null ? null : Map.of(EmbedderFactory.MAX_SEQ_LENGTH, maxSeqLength.toString())));
      if (!embedder.modelId().equals(model)) {
        throw ApiException.unavailable(why + ", and the local " + mode + " embedder runs "
            + embedder.modelId());
      }
      return embedder.embed(texts);
    }, blocking);
  }

  @Override
  public void close() {
    locals.values().forEach(Embedder::close);
    locals.clear();
  }
}
