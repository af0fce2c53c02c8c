package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cli.LeannCli;
import io.leann.coordinator.http.HttpServer;
import io.leann.coordinator.http.HttpSettings;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.index.IndexDirectory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's reproduction: the CLI and a {@code leann serve} node (one JVM-local node with every
 * role, the HTTP API on 127.0.0.1, no keys) on the same {@code LEANN_INDEX_DIR}. A document added
 * over the API survives a {@code leann build} of the index's files, the server follows the
 * generations the CLI commits (reporting their passage counts, searching them), and the server's
 * next ingest builds on the CLI's generation: nothing is lost on either side.
 */
class SharedIndexDirTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API_TEXT = "The lighthouse keeper on Skerryvore logs every passing"
      + " zeppelin in a brass-bound ledger.";
  @TempDir
  Path work;

  private LeannNode node;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String base;

  @AfterEach
  void stop() {
    if (node != null) {
      InJvmNodes.stop(node);
    }
  }

  @Test
  void apiDocumentsSurviveCliBuildsAndTheServerFollowsTheirCommits() throws Exception {
    Path docs = Files.createDirectories(work.resolve("docs"));
    Files.writeString(docs.resolve("space.txt"), "Saturn's rings are made of ice and rock. The Voyager"
        + " probes photographed the outer planets and left the solar system.");
    Files.writeString(docs.resolve("cooking.txt"), "Bread rises because yeast ferments sugar into carbon"
        + " dioxide. A sourdough starter keeps wild yeast alive for years.");
    Path indexes = work.resolve("indexes");
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", indexes.toString(), "HOME", work.toString());
    String[] build = {"build", "docs", "--docs", docs.toString()};
    cli(env, build);
    startServer(env);
    long fromFiles = info("docs").get("passages").asLong();

    // One document over the API: the server commits a generation with one more passage.
    JsonNode job = send("POST", "/indexes/docs/documents", "[{\"text\":\"" + API_TEXT
        + "\",\"metadata\":{\"origin\":\"api\"}}]", 202);
    awaitJob(job.get("id").asText());
    assertEquals(fromFiles + 1, info("docs").get("passages").asLong());
    assertTopHit("zeppelin ledger of the lighthouse keeper", API_TEXT);

    // The same build with no file changed keeps the API document: nothing to do.
    String unchanged = cli(env, build);
    assertTrue(unchanged.contains("up to date"), unchanged);
    assertTrue(cli(env, "search", "docs", "zeppelin ledger of the lighthouse keeper").contains("Skerryvore"));

    // A build with a new file commits a new generation, with the API document carried into it.
    int before = IndexDirectory.of(indexes.resolve("docs")).committedGeneration();
    Files.writeString(docs.resolve("music.txt"), "A fugue states its subject in one voice, then"
        + " answers it in another; Bach wrote forty-eight preludes and fugues.");
    cli(env, build);
    IndexMeta cliMeta = IndexMeta.read(indexes.resolve("docs").resolve(IndexDirectory.META));
    assertTrue(IndexDirectory.generationOf(cliMeta) > before);
    long afterCli = cliMeta.totalPassages();
    assertTrue(afterCli > fromFiles + 1, "the new file adds passages: " + afterCli);
    assertTrue(cli(env, "search", "docs", "zeppelin ledger of the lighthouse keeper").contains("Skerryvore"));

    // The server follows the CLI's commit (it looks at the meta once a second; the wait allows for a
    // loaded CI machine).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (info("docs").get("passages").asLong() != afterCli && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(afterCli, info("docs").get("passages").asLong());
    assertTopHit("preludes and fugues by Bach", "A fugue states its subject");
    JsonNode apiHit = assertTopHit("zeppelin ledger of the lighthouse keeper", API_TEXT);
    assertEquals("api", apiHit.get("metadata").get("origin").asText());

    // The server's next ingest builds on the CLI's generation: the new file's passages stay.
    job = send("POST", "/indexes/docs/documents",
        "[{\"text\":\"Kelp forests shelter sea otters off the coast of California.\"}]", 202);
    awaitJob(job.get("id").asText());
    assertEquals(afterCli + 1, info("docs").get("passages").asLong());
    assertTopHit("preludes and fugues by Bach", "A fugue states its subject");
    assertTopHit("sea otters in kelp", "Kelp forests");
    assertTopHit("zeppelin ledger of the lighthouse keeper", API_TEXT);
    // And the CLI sees the server's commit too.
    assertTrue(cli(env, "search", "docs", "sea otters in kelp").contains("Kelp forests"));
  }

  private void startServer(Map<String, String> env) {
    node = InJvmNodes.start(LeannNode.ALL_ROLES, List.of(), env);
    ServerBinding binding = HttpServer.start(node.system(), node.service(), "127.0.0.1", 0,
        HttpSettings.defaults()).toCompletableFuture().join();
    node.whenUp().toCompletableFuture().join();
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  private static String cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertEquals(0, code, String.join(" ", args) + " failed: " + err);
    return out + "\n" + err;
  }

  private JsonNode info(String index) throws Exception {
    return send("GET", "/indexes/" + index, null, 200);
  }

  private void awaitJob(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode job;
    do {
      Thread.sleep(100);
      job = send("GET", "/jobs/" + id, null, 200);
    } while (!job.get("state").asText().matches("done|failed") && System.nanoTime() < deadline);
    assertEquals("done", job.get("state").asText(), job.toString());
  }

  /** The top hit of {@code query} through the server, checked to start with {@code expected}. */
  private JsonNode assertTopHit(String query, String expected) throws Exception {
    JsonNode answer = send("POST", "/indexes/docs/search", JSON.writeValueAsString(
        Map.of("query", query, "top_k", 3)), 200);
    List<String> texts = new ArrayList<>();
    answer.get("results").forEach(h -> texts.add(h.get("text").asText()));
    assertTrue(!texts.isEmpty() && texts.getFirst().startsWith(expected), query + " -> " + texts);
    return answer.get("results").get(0);
  }

  private JsonNode send(String method, String path, String body, int expected) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
        : request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
    return JSON.readTree(response.body());
  }
}
