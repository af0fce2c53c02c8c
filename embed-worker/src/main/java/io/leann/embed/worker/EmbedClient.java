package io.leann.embed.worker;

import io.leann.embed.Embedder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@link AsyncEmbedder} over an embed pool: each call is one ask to its {@link BatchCoalescer}, so
 * concurrent callers share model batches. A request that is not answered within the timeout fails
 * with {@link org.apache.pekko.pattern.AskTimeoutException}, a {@link java.util.concurrent.TimeoutException}.
 * Thread-safe.
 */
public final class EmbedClient implements AsyncEmbedder {
  private final ActorRef<BatchCoalescer.Command> pool;
  private final Scheduler scheduler;
  private final Duration timeout;
  private final String modelId;
  private final int dimensions;

  public EmbedClient(ActorRef<BatchCoalescer.Command> pool, Scheduler scheduler, Duration timeout,
      String modelId, int dimensions) {
    this.pool = pool;
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.modelId = modelId;
    this.dimensions = dimensions;
  }

  /** A client of a pool running {@code embedder}, with the pool's request timeout. */
  public static EmbedClient of(ActorRef<BatchCoalescer.Command> pool, Scheduler scheduler,
      Embedder embedder, EmbedSettings settings) {
    return new EmbedClient(pool, scheduler, settings.requestTimeout(), embedder.modelId(),
        embedder.dimensions());
  }

  @Override
  public CompletionStage<float[][]> embed(List<String> texts) {
    if (texts.isEmpty()) {
      return CompletableFuture.completedFuture(new float[0][]);
    }
    return AskPattern.askWithStatus(pool, replyTo -> new BatchCoalescer.Embed(texts, replyTo), timeout,
        scheduler);
  }

  @Override
  public int dimensions() {
    return dimensions;
  }

  @Override
  public String modelId() {
    return modelId;
  }
}
