package io.leann.embed.remote;

import io.leann.embed.EmbeddingException;
import io.leann.protocol.http.HttpOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Embeddings from an Ollama server. Uses the batch endpoint {@code POST /api/embed}
 * ({@code {"model", "input": [...]}} -> {@code {"embeddings": [[...]]}}); a server too old to
 * have it (404 without a JSON error) is remembered and served through the legacy
 * {@code POST /api/embeddings} ({@code {"model", "prompt"}} -> {@code {"embedding": [...]}}), one
 * text per request with up to {@link Config#concurrency()} requests in flight.
 *
 * <p>Every vector is L2-normalised, as the Python LEANN does for Ollama: {@code /api/embed}
 * normalises but the legacy endpoint does not, and an index must not depend on which one served.
 *
 * <p>Thread-safe.
 */
public final class OllamaEmbedder extends RemoteEmbedder {

  public static final String DEFAULT_HOST = "http://localhost:11434";
  public static final String DEFAULT_MODEL = "nomic-embed-text";
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final int DEFAULT_CONCURRENCY = 4;
  /** Ollama's default context window; models with a larger one can be configured higher. */
  public static final int DEFAULT_MAX_TOKENS = 2048;

  /**
   * @param host server root, e.g. {@code http://localhost:11434}
   * @param dimensions expected vector length, or 0 to learn it from the first answer
   * @param batchSize texts per {@code /api/embed} request
   * @param concurrency legacy {@code /api/embeddings} requests in flight at once
   */
  public record Config(URI host, String model, int dimensions, int batchSize, int concurrency,
      int maxTokens, HttpOptions http) {

    public Config {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(http, "http");
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be positive: " + concurrency);
      }
    }

    /**
     * Host from {@code LEANN_OLLAMA_HOST} or {@code OLLAMA_HOST} (default localhost:11434; a
     * value without scheme gets {@code http://}, one without port too gets 11434), {@code model}
     * or {@value #DEFAULT_MODEL} when null.
     */
    public static Config fromEnvironment(String model, Map<String, String> env) {
      URI host = parseHost(Env.first(env, "LEANN_OLLAMA_HOST", "OLLAMA_HOST").orElse(DEFAULT_HOST));
      return new Config(host, model == null ? DEFAULT_MODEL : model, 0, DEFAULT_BATCH_SIZE,
          DEFAULT_CONCURRENCY, DEFAULT_MAX_TOKENS, HttpOptions.defaults());
    }

    public Config withBatchSize(int size) {
      return new Config(host, model, dimensions, size, concurrency, maxTokens, http);
    }

    public Config withDimensions(int expected) {
      return new Config(host, model, expected, batchSize, concurrency, maxTokens, http);
    }

    public Config withHttp(HttpOptions options) {
      return new Config(host, model, dimensions, batchSize, concurrency, maxTokens, options);
    }
  }

  /** OLLAMA_HOST as the Ollama CLI reads it: scheme and port are optional. */
  static URI parseHost(String value) {
    String host = Env.stripTrailingSlashes(value.trim());
    if (!host.contains("://")) {
      URI bare = URI.create("http://" + host);
      return bare.getPort() == -1 ? URI.create("http://" + host + ":11434") : bare;
    }
    return URI.create(host);
  }

  record BatchRequest(String model, List<String> input) {}

  record BatchResponse(List<float[]> embeddings) {}

  record LegacyRequest(String model, String prompt) {}

  record LegacyResponse(float[] embedding) {}

  private final JsonHttp http;
  private final URI batchEndpoint;
  private final URI legacyEndpoint;
  private final int concurrency;
  private volatile boolean legacyOnly;

  private OllamaEmbedder(Config config) {
    super(Provider.OLLAMA, config.model(), config.dimensions(), config.batchSize(),
        config.maxTokens());
    this.http = new JsonHttp(Provider.OLLAMA, config.host(), config.http());
    String root = Env.stripTrailingSlashes(config.host().toString());
    this.batchEndpoint = URI.create(root + "/api/embed");
    this.legacyEndpoint = URI.create(root + "/api/embeddings");
    this.concurrency = config.concurrency();
  }

  public static OllamaEmbedder create(Config config) {
    return new OllamaEmbedder(Objects.requireNonNull(config, "config"));
  }

  /** {@link Config#fromEnvironment} with every other setting at its default. */
  public static OllamaEmbedder fromEnvironment(String model, Map<String, String> env) {
    return create(Config.fromEnvironment(model, env));
  }

  @Override
  float[][] embedBatch(List<String> texts) {
    float[][] vectors = legacyOnly ? embedOneByOne(texts) : embedBatchOrFallBack(texts);
    for (float[] v : vectors) {
      normalize(v);
    }
    return vectors;
  }

  @Override
  public void close() {
    http.close();
  }

  private float[][] embedBatchOrFallBack(List<String> texts) {
    BatchResponse response;
    try {
      response = http.post(batchEndpoint, Map.of(), new BatchRequest(modelId(), texts),
          BatchResponse.class);
    } catch (HttpStatusException e) {
      if (e.status() == 404 && e.serverError() == null) {
        // A router 404 (plain text), not Ollama's JSON "model not found": /api/embed predates
        // this server (Ollama < 0.3).
        legacyOnly = true;
        return embedOneByOne(texts);
      }
      if (e.status() == 404) {
        throw new EmbeddingException("Ollama has no model " + modelId() + ": run `ollama pull "
            + modelId() + "` (server said: " + e.serverError() + ")", e);
      }
      throw e;
    }
    if (response.embeddings() == null) {
      throw new EmbeddingException("Ollama answered without an embeddings array (model "
          + modelId() + ")");
    }
    return response.embeddings().toArray(new float[0][]);
  }

  private float[][] embedOneByOne(List<String> texts) {
    float[][] out = new float[texts.size()][];
    Semaphore window = new Semaphore(concurrency);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<CompletableFuture<Void>> inFlight = new ArrayList<>(texts.size());
    try {
      for (int i = 0; i < texts.size() && failure.get() == null; i++) {
        window.acquire();
        int row = i;
        inFlight.add(http.postAsync(legacyEndpoint, Map.of(),
                new LegacyRequest(modelId(), texts.get(i)), LegacyResponse.class)
            .thenAccept(response -> out[row] = response.embedding())
            .whenComplete((ignored, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              }
              window.release();
            }));
      }
      CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).join();
    } catch (InterruptedException e) {
      inFlight.forEach(f -> f.cancel(true));
      Thread.currentThread().interrupt();
      throw new EmbeddingException("Ollama request interrupted", e);
    } catch (RuntimeException e) {
      throw http.unwrap(failure.get() != null ? failure.get() : e);
    }
    if (failure.get() != null) {
      throw http.unwrap(failure.get());
    }
    return out;
  }

  private static void normalize(float[] v) {
    if (v == null) {
      return;
    }
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return;
    }
    double scale = 1 / Math.sqrt(sum);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (v[i] * scale);
    }
  }
}
