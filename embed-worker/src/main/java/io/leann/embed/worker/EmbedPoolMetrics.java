package io.leann.embed.worker;

import io.leann.protocol.cache.EmbeddingCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one embed pool ({@link BatchCoalescer}): queue depth
 * ({@code leann_embed_queue_texts}, {@code leann_embed_queue_requests}), batches running
 * ({@code leann_embed_batches_in_flight}), throughput ({@code leann_embed_texts_total}) and model
 * batches by outcome with their time ({@code leann_embed_batch_seconds{result}}).
 *
 * <p>Meters are registered by name, so two pools on one registry share them (the gauges show the
 * first pool's queue); a node runs one pool. Written only by the coalescer actor, read by the
 * registry from any thread: the gauge values are atomics.
 */
public final class EmbedPoolMetrics {
  private final AtomicInteger queuedTexts = new AtomicInteger();
  private final AtomicInteger queuedRequests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter texts;
  private final Timer ok;
  private final Timer failed;
  private final MeterRegistry registry;

  public EmbedPoolMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("leann.embed.queue.texts", queuedTexts, AtomicInteger::get)
        .description("Texts waiting in the embed pool for a batch").strongReference(true).register(registry);
    Gauge.builder("leann.embed.queue.requests", queuedRequests, AtomicInteger::get)
        .description("Requests waiting in the embed pool for a batch").strongReference(true).register(registry);
    Gauge.builder("leann.embed.batches.in.flight", inFlight, AtomicInteger::get)
        .description("Model batches running").strongReference(true).register(registry);
    texts = Counter.builder("leann.embed.texts").description("Texts embedded").register(registry);
    ok = batchTimer(registry, "ok");
    failed = batchTimer(registry, "failed");
  }

  /** Exposes the hit and miss counts and the fill of the pool's embedding cache. */
  public void watchCache(EmbeddingCache<?> cache) {
    FunctionCounter.builder("leann.embed.cache.hits", cache, c -> c.stats().hits())
        .description("Embeddings served from the worker's cache").register(registry);
    FunctionCounter.builder("leann.embed.cache.misses", cache, c -> c.stats().misses())
        .description("Embeddings the worker's cache did not have").register(registry);
    Gauge.builder("leann.embed.cache.bytes", cache, c -> c.stats().bytes())
        .description("Bytes held by the worker's embedding cache").strongReference(true).register(registry);
  }

  private static Timer batchTimer(MeterRegistry registry, String result) {
    return Timer.builder("leann.embed.batch").description("Model batches, from dispatch to vectors")
        .tag("result", result).register(registry);
  }

  void queued(int requests, int queuedTextCount) {
    queuedRequests.set(requests);
    queuedTexts.set(queuedTextCount);
  }

  void inFlight(int batches) {
    inFlight.set(batches);
  }

  void batchDone(int textCount, Duration took, boolean succeeded) {
    (succeeded ? ok : failed).record(took);
    if (succeeded) {
      texts.increment(textCount);
    }
  }
}
