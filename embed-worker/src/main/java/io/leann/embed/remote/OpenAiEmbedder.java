package io.leann.embed.remote;

import io.leann.embed.EmbeddingException;
import io.leann.protocol.http.HttpOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Embeddings from OpenAI or any server speaking its API (LM Studio, vLLM, llama.cpp, LiteLLM):
 * {@code POST {base}/embeddings} with {@code {"model", "input": [...]}}, answered by
 * {@code {"data": [{"index", "embedding"}]}}. Vectors are placed by {@code index}, since the
 * API does not promise to answer in input order, and are returned as the server sends them
 * (OpenAI's own models are already unit length).
 *
 * <p>The key ({@code OPENAI_API_KEY}) is sent as a bearer token when set; it is required only for
 * api.openai.com, local servers usually run without one.
 *
 * <p>Thread-safe.
 */
public final class OpenAiEmbedder extends RemoteEmbedder {

  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
  public static final String DEFAULT_MODEL = "text-embedding-3-small";
  /** Inputs per request: OpenAI accepts up to 2048, smaller requests retry more cheaply. */
  public static final int DEFAULT_BATCH_SIZE = 512;
  /** The input limit of OpenAI's text-embedding-3 and ada-002 models. */
  public static final int DEFAULT_MAX_TOKENS = 8191;

  /**
   * @param baseUrl API root, e.g. {@code https://api.openai.com/v1} or
   *     {@code http://localhost:1234/v1}
   * @param apiKey bearer token, or null to send no Authorization header
   * @param dimensions expected vector length, or 0 to learn it from the first answer
   * @param batchSize inputs per request
   */
  public record Config(URI baseUrl, String apiKey, String model, int dimensions, int batchSize,
      int maxTokens, HttpOptions http) {

    public Config {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(http, "http");
    }

    /**
     * Base URL from {@code LEANN_OPENAI_BASE_URL} or {@code OPENAI_BASE_URL} (default
     * api.openai.com), key from {@code OPENAI_API_KEY}, {@code model} or
     * {@value #DEFAULT_MODEL} when null.
     *
     * @throws EmbeddingException if the base URL is api.openai.com and no key is set
     */
    public static Config fromEnvironment(String model, Map<String, String> env) {
      String base = Env.stripTrailingSlashes(
          Env.first(env, "LEANN_OPENAI_BASE_URL", "OPENAI_BASE_URL").orElse(DEFAULT_BASE_URL));
      URI baseUrl = URI.create(base);
      String key = Env.first(env, "OPENAI_API_KEY").orElse(null);
      if (key == null && "api.openai.com".equalsIgnoreCase(baseUrl.getHost())) {
        throw new EmbeddingException("OpenAI needs an API key: set OPENAI_API_KEY (or point"
            + " OPENAI_BASE_URL at a compatible server that needs none)");
      }
      return new Config(baseUrl, key, model == null ? DEFAULT_MODEL : model, 0,
          DEFAULT_BATCH_SIZE, DEFAULT_MAX_TOKENS, HttpOptions.defaults());
    }

    public Config withBatchSize(int size) {
      return new Config(baseUrl, apiKey, model, dimensions, size, maxTokens, http);
    }

    /** Never shows the key: configurations end up in logs and error messages. */
    @Override
    public String toString() {
      return "OpenAiEmbedder.Config[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "set")
          + ", model=" + model + ", dimensions=" + dimensions + ", batchSize=" + batchSize
          + ", maxTokens=" + maxTokens + ", http=" + http + "]";
    }

    public Config withDimensions(int expected) {
      return new Config(baseUrl, apiKey, model, expected, batchSize, maxTokens, http);
    }

    public Config withHttp(HttpOptions options) {
      return new Config(baseUrl, apiKey, model, dimensions, batchSize, maxTokens, options);
    }
  }

  record Request(String model, List<String> input) {}

  record Response(List<Item> data) {}

  record Item(Integer index, float[] embedding) {}

  private final JsonHttp http;
  private final URI endpoint;
  private final Map<String, String> headers;

  private OpenAiEmbedder(Config config) {
    super(Provider.OPENAI, config.model(), config.dimensions(), config.batchSize(),
        config.maxTokens());
    this.http = new JsonHttp(Provider.OPENAI, config.baseUrl(), config.http(), config.apiKey());
    this.endpoint =
        URI.create(Env.stripTrailingSlashes(config.baseUrl().toString()) + "/embeddings");
    this.headers = config.apiKey() == null
        ? Map.of() : Map.of("Authorization", "Bearer " + config.apiKey());
  }

  public static OpenAiEmbedder create(Config config) {
    return new OpenAiEmbedder(Objects.requireNonNull(config, "config"));
  }

  /** {@link Config#fromEnvironment} with every other setting at its default. */
  public static OpenAiEmbedder fromEnvironment(String model, Map<String, String> env) {
    return create(Config.fromEnvironment(model, env));
  }

  @Override
  float[][] embedBatch(List<String> texts) {
    Response response = http.post(endpoint, headers, new Request(modelId(), texts), Response.class);
    if (response.data() == null) {
      throw new EmbeddingException(
          "OpenAI answered without a data array (model " + modelId() + ")");
    }
    float[][] out = new float[texts.size()][];
    for (Item item : response.data()) {
      Integer index = item.index();
      if (index == null || index < 0 || index >= out.length || out[index] != null) {
        throw new EmbeddingException("OpenAI answered with a missing, out-of-range or repeated"
            + " index " + index + " for " + out.length + " inputs (model " + modelId() + ")");
      }
      out[index] = item.embedding();
    }
    return out;
  }

  @Override
  public void close() {
    http.close();
  }
}
