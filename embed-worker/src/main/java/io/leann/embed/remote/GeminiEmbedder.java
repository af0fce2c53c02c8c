package io.leann.embed.remote;

import io.leann.embed.EmbeddingException;
import io.leann.protocol.http.HttpOptions;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Embeddings from Google's Gemini API:
 * {@code POST {base}/models/{model}:batchEmbedContents} with up to 100 requests of
 * {@code {"model": "models/{model}", "content": {"parts": [{"text"}]}, "taskType":
 * "RETRIEVAL_DOCUMENT"}}, answered by {@code {"embeddings": [{"values": [...]}]}} in request
 * order. The task type is the one the Python LEANN uses for passages and queries alike, so both
 * land in the same space. The key goes in the {@code x-goog-api-key} header.
 *
 * <p>Thread-safe.
 */
public final class GeminiEmbedder extends RemoteEmbedder {

  /** The API root, as Google's SDKs and {@code GEMINI_BASE_URL} name it: without the version. */
  public static final String DEFAULT_ROOT = "https://generativelanguage.googleapis.com";
  public static final String API_VERSION = "v1beta";
  public static final String DEFAULT_BASE_URL = DEFAULT_ROOT + "/" + API_VERSION;
  public static final String DEFAULT_MODEL = "text-embedding-004";
  /** The API's limit on requests in one batchEmbedContents call. */
  public static final int MAX_BATCH_SIZE = 100;
  /** The input limit of text-embedding-004. */
  public static final int DEFAULT_MAX_TOKENS = 2048;

  private static final String TASK_TYPE = "RETRIEVAL_DOCUMENT";

  /**
   * @param baseUrl API root ending in the version, e.g. {@value #DEFAULT_BASE_URL}
   * @param model with or without the {@code models/} prefix
   * @param dimensions expected vector length, or 0 to learn it from the first answer
   * @param batchSize texts per request, at most {@value #MAX_BATCH_SIZE}
   */
  public record Config(URI baseUrl, String apiKey, String model, int dimensions, int batchSize,
      int maxTokens, HttpOptions http) {

    public Config {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(http, "http");
      if (batchSize > MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("Gemini accepts at most " + MAX_BATCH_SIZE
            + " texts per request: " + batchSize);
      }
    }

    /**
     * Key from {@code GOOGLE_API_KEY} or {@code GEMINI_API_KEY} (Google's SDKs prefer the
     * former when both are set), API root from {@code LEANN_GEMINI_BASE_URL} or
     * {@code GEMINI_BASE_URL} (default {@value #DEFAULT_ROOT}; {@value #API_VERSION} is
     * appended), {@code model} or {@value #DEFAULT_MODEL} when null.
     *
     * @throws EmbeddingException if neither key variable is set
     */
    public static Config fromEnvironment(String model, Map<String, String> env) {
      String key = Env.first(env, "GOOGLE_API_KEY", "GEMINI_API_KEY").orElseThrow(
          () -> new EmbeddingException("Gemini needs an API key: set GEMINI_API_KEY or"
              + " GOOGLE_API_KEY"));
      String root = Env.stripTrailingSlashes(
          Env.first(env, "LEANN_GEMINI_BASE_URL", "GEMINI_BASE_URL").orElse(DEFAULT_ROOT));
      return new Config(URI.create(root + "/" + API_VERSION), key,
          model == null ? DEFAULT_MODEL : model, 0, MAX_BATCH_SIZE, DEFAULT_MAX_TOKENS,
          HttpOptions.defaults());
    }

    public Config withBatchSize(int size) {
      return new Config(baseUrl, apiKey, model, dimensions, size, maxTokens, http);
    }

    /** Never shows the key: configurations end up in logs and error messages. */
    @Override
    public String toString() {
      return "GeminiEmbedder.Config[baseUrl=" + baseUrl + ", apiKey=set, model=" + model
          + ", dimensions=" + dimensions + ", batchSize=" + batchSize + ", maxTokens=" + maxTokens
          + ", http=" + http + "]";
    }

    public Config withDimensions(int expected) {
      return new Config(baseUrl, apiKey, model, expected, batchSize, maxTokens, http);
    }

    public Config withHttp(HttpOptions options) {
      return new Config(baseUrl, apiKey, model, dimensions, batchSize, maxTokens, options);
    }
  }

  record Part(String text) {}

  record Content(List<Part> parts) {}

  record EmbedRequest(String model, Content content, String taskType) {}

  record BatchRequest(List<EmbedRequest> requests) {}

  record Embedding(float[] values) {}

  record BatchResponse(List<Embedding> embeddings) {}

  private final JsonHttp http;
  private final URI endpoint;
  private final String qualifiedModel;
  private final Map<String, String> headers;

  private GeminiEmbedder(Config config) {
    super(Provider.GEMINI, bareModel(config.model()), config.dimensions(), config.batchSize(),
        config.maxTokens());
    this.http = new JsonHttp(Provider.GEMINI, config.baseUrl(), config.http(), config.apiKey());
    this.qualifiedModel = "models/" + modelId();
    this.endpoint = URI.create(Env.stripTrailingSlashes(config.baseUrl().toString()) + "/"
        + qualifiedModel + ":batchEmbedContents");
    this.headers = Map.of("x-goog-api-key", config.apiKey());
  }

  public static GeminiEmbedder create(Config config) {
    return new GeminiEmbedder(Objects.requireNonNull(config, "config"));
  }

  /** {@link Config#fromEnvironment} with every other setting at its default. */
  public static GeminiEmbedder fromEnvironment(String model, Map<String, String> env) {
    return create(Config.fromEnvironment(model, env));
  }

  @Override
  float[][] embedBatch(List<String> texts) {
    List<EmbedRequest> requests = texts.stream()
        .map(text -> new EmbedRequest(qualifiedModel, new Content(List.of(new Part(text))),
            TASK_TYPE))
        .toList();
    BatchResponse response;
    try {
      response = http.post(endpoint, headers, new BatchRequest(requests), BatchResponse.class);
    } catch (HttpStatusException e) {
      // Gemini reports a bad key as 400 INVALID_ARGUMENT ("API key not valid"), not 401.
      if (e.status() == 400 && e.serverError() != null && e.serverError().contains("API key")) {
        throw new EmbeddingException("Gemini rejected the API key (HTTP 400): set GEMINI_API_KEY"
            + " or GOOGLE_API_KEY (server said: " + e.serverError() + ")", e);
      }
      throw e;
    }
    if (response.embeddings() == null) {
      throw new EmbeddingException("Gemini answered without an embeddings array (model "
          + modelId() + ")");
    }
    return response.embeddings().stream()
        .map(embedding -> embedding == null ? null : embedding.values())
        .toArray(float[][]::new);
  }

  @Override
  public void close() {
    http.close();
  }

  private static String bareModel(String model) {
    return model.startsWith("models/") ? model.substring("models/".length()) : model;
  }
}
