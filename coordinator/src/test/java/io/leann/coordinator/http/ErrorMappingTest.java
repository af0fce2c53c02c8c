package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.api.Json;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.NodeInfo;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.api.ShardPlacement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How failures of a service become HTTP answers, with a service whose every method fails in a
 * chosen way: a stage that never completes (request timeout), an ask timeout, a bug, an
 * {@link ApiException} thrown instead of returned. Also {@link HttpSettings} from configuration.
 */
class ErrorMappingTest {
  static ActorSystem<Void> system;
  static ServerBinding binding;
  static HttpClient client = HttpClient.newHttpClient();
  static String base;

  /** Fails in a different way per method; methods the tests do not call are unreachable. */
  static final class FailingService implements LeannService {
    @Override
    public CompletionStage<SearchResponse> search(String index, SearchRequest request) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<List<IndexInfo>> indexes() {
      return CompletableFuture.failedFuture(new IllegalStateException("secret detail /srv/leann/indexes"));
    }

    @Override
    public CompletionStage<IndexInfo> index(String name) {
      throw ApiException.unavailable("no shard of '" + name + "' can answer");
    }

    @Override
    public CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<JobStatus> addDocuments(String name, List<DocumentIn> documents) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<JobStatus> deleteDocuments(String name, Map<String, Object> metadataFilters) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<JobStatus> job(String id) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Void> deleteIndex(String name) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<NodeInfo>> nodes() {
      return CompletableFuture.failedFuture(
          new TimeoutException("Ask timed out on [Actor[pekko://leann/user/registry]] after [5000 ms]"));
    }

    @Override
    public CompletionStage<List<ShardPlacement>> shards() {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<ShardPlacement> moveShard(String index, int shard, String node) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<ShardPlacement>> rebalance(String index) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<String> health() {
      throw new UnsupportedOperationException();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "leann-http-errors",
        ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.defaultReference()));
    HttpSettings settings = HttpSettings.defaults().withRequestTimeout(Duration.ofMillis(500));
    binding = HttpServer.start(system, new FailingService(), "127.0.0.1", 0, settings)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void slowServiceIsAnswered503AtTheRequestTimeout() throws Exception {
    long start = System.nanoTime();
    JsonNode error = call("POST", "/indexes/x/search", "{\"query\": \"q\"}", 503);
    assertEquals("unavailable", error.path("code").asText());
    assertTrue(error.path("message").asText().contains("500 ms"), error.toString());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void askTimeoutIs503() throws Exception {
    JsonNode error = call("GET", "/admin/nodes", null, 503);
    assertEquals("unavailable", error.path("code").asText());
  }

  @Test
  void unexpectedFailureIs500WithoutItsDetails() throws Exception {
    JsonNode error = call("GET", "/indexes", null, 500);
    assertEquals("internal_error", error.path("code").asText());
    assertFalse(error.toString().contains("secret"), error.toString());
  }

  @Test
  void apiExceptionThrownByTheServiceKeepsItsStatus() throws Exception {
    JsonNode error = call("GET", "/indexes/x", null, 503);
    assertEquals("unavailable", error.path("code").asText());
    assertTrue(error.path("message").asText().contains("'x'"));
  }

  @Test
  void settingsFromConfigAndEnvironment() {
    var config = ConfigFactory.parseString("""
        leann.http { max-body-size = 2m, request-timeout = 3s, admin-token = "from-config" }""");
    HttpSettings fromConfig = HttpSettings.fromConfig(config, Map.of());
    assertEquals(2L << 20, fromConfig.maxBodyBytes());
    assertEquals(Duration.ofSeconds(3), fromConfig.requestTimeout());
    assertEquals(Optional.of(Scope.ADMIN), fromConfig.keys().scopeOf("from-config"));
    ApiKeys fromEnv = HttpSettings.fromConfig(config, Map.of("LEANN_ADMIN_TOKEN", "from-env")).keys();
    assertEquals(Optional.of(Scope.ADMIN), fromEnv.scopeOf("from-env"));
    assertEquals(Optional.empty(), fromEnv.scopeOf("from-config"), "the environment overrides the configured token");
    HttpSettings defaults = HttpSettings.fromConfig(ConfigFactory.empty(), Map.of("LEANN_ADMIN_TOKEN", " "));
    assertEquals(HttpSettings.defaults(), defaults);
    assertTrue(defaults.keys().isEmpty());
    assertFalse(fromConfig.toString().contains("from-config"), "the token never reaches a log line");
  }

  private static JsonNode call(String method, String path, String body, int status) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode error = Json.mapper().readTree(response.body()).path("error");
    // A transient 503 tells clients when to try again; nothing else does.
    boolean transientFailure = status == 503 && error.path("code").asText().equals("unavailable");
    assertEquals(transientFailure ? "1" : null, response.headers().firstValue("Retry-After").orElse(null));
    return error;
  }
}
