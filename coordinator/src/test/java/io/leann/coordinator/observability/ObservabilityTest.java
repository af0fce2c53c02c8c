package io.leann.coordinator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.cluster.LeannNode;
import io.leann.coordinator.http.HttpServer;
import io.leann.coordinator.http.HttpSettings;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.RequestIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A one-node cluster with every role behind the real HTTP server on 127.0.0.1: an index is built
 * and searched over HTTP, then {@code GET /metrics} must show the search latency histogram with the
 * index and mode labels, the engine's work, the shard's load state, the embed pool's throughput,
 * HTTP status counts and JVM meters; and the request id a client sends must come back in the
 * response and be in the MDC of the shard actor's, the embed endpoint's and the ZMQ recompute
 * endpoint's log lines.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
  private static final Config TEST = ConfigFactory.parseString("""
      pekko.loglevel = WARNING
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      leann.shard.search-dispatcher.thread-pool-executor.fixed-pool-size = 2
      leann.embed.pool-size = 1
      """).withFallback(ConfigFactory.load());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path root;

  private LeannNode node;
  private ServerBinding binding;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();

  @BeforeAll
  void start() throws Exception {
    capture("leann.access", accessLog);
    Config config = LeannNode.config("127.0.0.1", 0, LeannNode.ALL_ROLES, TEST);
    node = LeannNode.start(config, List.of(), Map.of("LEANN_INDEX_DIR", root.toString()), OnnxEmbedder::create,
        "tcp://127.0.0.1:0");
    node.whenUp().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    binding = HttpServer.start(node.system(), node.service(), "127.0.0.1", 0, HttpSettings.defaults())
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static void capture(String name, ListAppender<ILoggingEvent> appender) {
    Logger logger = (Logger) LoggerFactory.getLogger(name);
    logger.setLevel(Level.DEBUG);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterAll
  void stop() {
    Logger access = (Logger) LoggerFactory.getLogger("leann.access");
    access.detachAppender(accessLog);
    access.setLevel(null);
    if (node != null) {
      node.stop().toCompletableFuture().join();
      node.system().getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void searchesShowInMetricsAndRequestIdsReachShardAndEmbedLogs() throws Exception {
    assertEquals(201, send("PUT", "/indexes/docs", "{\"shards\": 2, \"recompute\": false, \"compact\": false}", null).statusCode());
    HttpResponse<String> job = send("POST", "/indexes/docs/documents", """
        [{"text": "The telescope resolved the rings of Saturn."},
         {"text": "Knead the dough and let it rise overnight."},
         {"text": "A sailing boat tacks against the wind."},
         {"text": "Relational databases keep rows in tables."}]""", null);
    assertEquals(202, job.statusCode(), job.body());
    String jobPath = job.headers().firstValue("Location").orElseThrow();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String state;
    do {
      Thread.sleep(200);
      state = JSON.readTree(send("GET", jobPath, null, null).body()).path("state").asText();
    } while (!state.equals("done") && !state.equals("failed") && System.nanoTime() < deadline);
    assertEquals("done", state);

    HttpResponse<String> stored = send("POST", "/indexes/docs/search",
        "{\"query\": \"planets and rings\", \"top_k\": 2, \"recompute\": false}", "it-stored-42");
    assertEquals(200, stored.statusCode(), stored.body());
    assertEquals("it-stored-42", stored.headers().firstValue("X-Request-Id").orElseThrow());
    HttpResponse<String> recomputed = send("POST", "/indexes/docs/search",
        "{\"query\": \"bread\", \"top_k\": 2, \"recompute\": true}", "it-recompute-7");
    assertEquals(200, recomputed.statusCode(), recomputed.body());
    JsonNode first = JSON.readTree(recomputed.body()).path("results").path(0);
    assertTrue(first.path("text").asText().contains("dough"), recomputed.body());

    // Ids are echoed when sane, replaced when not, made when missing.
    String made = send("GET", "/health", null, null).headers().firstValue("X-Request-Id").orElseThrow();
    assertTrue(made.matches("[0-9a-f-]{36}"), made);
    String replaced = send("GET", "/health", null, "two words").headers().firstValue("X-Request-Id").orElseThrow();
    assertNotEquals("two words", replaced);
    assertEquals(404, send("GET", "/nowhere/at/all", null, null).statusCode());

    // Every hop wrote an INFO access line under the client's id: both shards searched, the query
    // embedded, and the recompute requests, which crossed ZMQ with the id as their frames' trace id.
    assertTrue(loggedWith(accessLog, "it-stored-42", "searched shard docs/0"), () -> messages(accessLog));
    assertTrue(loggedWith(accessLog, "it-stored-42", "searched shard docs/1"), () -> messages(accessLog));
    assertTrue(loggedWith(accessLog, "it-recompute-7", "recompute"), () -> messages(accessLog));
    assertTrue(loggedWith(accessLog, "it-stored-42", "embedded 1 texts"), () -> messages(accessLog));
    assertTrue(loggedWith(accessLog, "it-recompute-7", "texts answered in"), () -> messages(accessLog));

    // One INFO access line per request, under its id; no query string, header or body in it.
    assertTrue(loggedWith(accessLog, "it-stored-42", "POST /indexes/docs/search 200 "), () -> messages(accessLog));
    assertEquals(200, send("GET", "/health?api-key=sekrit", null, "it-health-1").statusCode());
    assertTrue(loggedWith(accessLog, "it-health-1", "GET /health 200 "), () -> messages(accessLog));
    synchronized (accessLog.list) {
      assertTrue(accessLog.list.stream().allMatch(e -> e.getLevel() == Level.INFO), () -> messages(accessLog));
      assertTrue(accessLog.list.stream().map(ILoggingEvent::getFormattedMessage)
          .noneMatch(m -> m.contains("sekrit") || m.contains("planets") || m.contains("Bearer")), () -> messages(accessLog));
    }

    HttpResponse<String> metrics = send("GET", "/metrics", null, null);
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    String text = metrics.body();
    assertEquals(1.0, sample(text, "leann_search_seconds_count", "index=\"docs\"", "mode=\"stored\"",
        "result=\"complete\""));
    assertEquals(1.0, sample(text, "leann_search_seconds_count", "index=\"docs\"", "mode=\"recompute\""));
    assertTrue(text.contains("leann_search_seconds_bucket{"), "latency histogram buckets");
    assertTrue(sample(text, "leann_search_work_total", "index=\"docs\"", "mode=\"stored\"",
        "stat=\"nodes_visited\"") > 0);
    assertTrue(sample(text, "leann_recompute_batches_total", "index=\"docs\"") >= 2, "one batch per shard at least");
    assertTrue(sample(text, "leann_recompute_nodes_total", "index=\"docs\"") >= 2);
    assertEquals(1.0, sample(text, "leann_shard_loaded", "index=\"docs\"", "shard=\"0\""));
    assertEquals(1.0, sample(text, "leann_shard_loaded", "index=\"docs\"", "shard=\"1\""));
    assertTrue(sample(text, "leann_embed_texts_total") >= 4 + 2, "documents, queries and recomputed nodes");
    assertEquals(0.0, sample(text, "leann_embed_queue_texts"));
    assertEquals(2.0, sample(text, "leann_http_server_requests_seconds_count", "method=\"POST\"",
        "route=\"/indexes/{name}/search\"", "status=\"200\""));
    assertEquals(1.0, sample(text, "leann_http_server_requests_seconds_count", "method=\"GET\"",
        "route=\"other\"", "status=\"404\""));
    assertTrue(Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\".* [1-9]").matcher(text).find(), text);
    assertTrue(text.contains("jvm_gc_") && text.contains("process_uptime_seconds"), "JVM meters");

    // A deleted index leaves no series: its searches at once, its shards once they have stopped.
    assertEquals(200, send("DELETE", "/indexes/docs", null, null).statusCode());
    Pattern ofDocs = Pattern.compile("(?m)^leann_(search|recompute|shard)_\\w*\\{[^}]*index=\"docs\"");
    String after;
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    do {
      after = send("GET", "/metrics", null, null).body();
    } while (ofDocs.matcher(after).find() && System.nanoTime() < until && sleep(100));
    String left = after;
    assertFalse(ofDocs.matcher(left).find(), () -> "series of the deleted index: " + left.lines()
        .filter(l -> l.contains("index=\"docs\"")).toList());
  }

  private static boolean sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return true;
  }

  private HttpResponse<String> send(String method, String path, String body, String requestId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + binding.localAddress().getPort() + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (requestId != null) {
      b.header("X-Request-Id", requestId);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean loggedWith(ListAppender<ILoggingEvent> log, String requestId, String text) {
    synchronized (log.list) {
      return log.list.stream().anyMatch(e -> requestId.equals(e.getMDCPropertyMap().get(RequestIds.MDC_KEY))
          && e.getFormattedMessage().contains(text));
    }
  }

  private static String messages(ListAppender<ILoggingEvent> log) {
    synchronized (log.list) {
      return log.list.stream().map(e -> e.getMDCPropertyMap() + " " + e.getFormattedMessage()).toList().toString();
    }
  }

  /** The value of the one sample of {@code name} whose labels contain all of {@code labels}. */
  static double sample(String exposition, String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{.*\\})? (\\S+)$").matcher(exposition);
    Double found = null;
    while (m.find()) {
      String labelSet = m.group(1) == null ? "" : m.group(1);
      if (List.of(labels).stream().allMatch(labelSet::contains)) {
        if (found != null) {
          throw new AssertionError("more than one " + name + " sample with " + List.of(labels));
        }
        found = Double.parseDouble(m.group(2));
      }
    }
    if (found == null) {
      throw new AssertionError("no " + name + " sample with " + List.of(labels) + " in:\n" + exposition);
    }
    return found;
  }
}
