package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.coordinator.api.Json;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.local.SmallIndex;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API end to end: {@link HttpServer} bound on a free loopback port over
 * {@link LocalLeannService} and a real index, driven by {@link HttpClient}. Covers the happy paths
 * (list, describe, search, filters, hybrid, ingest, delete, admin) and every error shape a client
 * can provoke, each checked for its status and its JSON error body.
 */
class LeannRoutesTest {
  private static final String TOKEN = "s3cret-token";
  /** Sent by {@link #send} unless a test sets its own {@code Authorization}: writes need a key. */
  private static final String WRITE_KEY = "write-key-for-the-route-tests";
  private static final long MAX_BODY = 64 * 1024;

  @TempDir static Path root;
  static LoopbackApi api;
  static HttpClient client;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    HttpSettings settings = HttpSettings.defaults().withMaxBodyBytes(MAX_BODY)
        .withKeys(ApiKeys.none().with(Scope.ADMIN, TOKEN).with(Scope.WRITE, WRITE_KEY));
    api = LoopbackApi.start(root, (system, service) -> HttpServer.start(system, service, "127.0.0.1", 0, settings));
    base = api.base();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
  }

  record Reply(int status, JsonNode json, HttpResponse<String> raw) {}

  // ---- happy paths ----

  @Test
  void health() throws Exception {
    Reply r = send("GET", "/health", null);
    assertEquals(200, r.status());
    assertEquals("ok", r.json().path("status").asText());
    assertTrue(r.json().path("detail").asText().contains("standalone"));
  }

  @Test
  void listsAndDescribesIndexes() throws Exception {
    Reply list = send("GET", "/indexes", null);
    assertEquals(200, list.status());
    JsonNode docs = null;
    for (JsonNode i : list.json().path("indexes")) {
      docs = i.path("name").asText().equals("docs") ? i : docs;
    }
    assertTrue(docs != null, list.raw().body());
    assertEquals(SmallIndex.FILES.size(), docs.path("passages").asInt());
    assertEquals(2, docs.path("shards").asInt());
    assertEquals("ready", docs.path("status").asText());

    Reply one = send("GET", "/indexes/docs", null);
    assertEquals(200, one.status());
    assertEquals(384, one.json().path("dimensions").asInt());
    assertEquals("sentence-transformers/all-MiniLM-L6-v2", one.json().path("model").asText());
  }

  @Test
  void searchRanksTheRelevantPassageFirst() throws Exception {
    Reply r = send("POST", "/indexes/docs/search", "{\"query\": \"a kitten purring on the couch\", \"top_k\": 3}");
    assertEquals(200, r.status(), r.raw().body());
    JsonNode results = r.json().path("results");
    assertEquals(3, results.size());
    assertEquals("cats.txt", results.get(0).path("metadata").path("file_name").asText());
    assertTrue(results.get(0).path("text").asText().contains("kitten"));
    assertFalse(r.json().path("partial").asBoolean());
    assertEquals(0, r.json().path("missing_shards").size());
    assertTrue(r.json().path("timing_ms").path("total").asDouble() > 0);
  }

  @Test
  void filtersApplyDuringSearch() throws Exception {
    Reply r = send("POST", "/indexes/docs/search", """
        {"query": "a kitten purring on the couch", "top_k": 3,
         "metadata_filters": {"file_name": {"in": ["volcano.txt", "ocean.txt"]}}, "unknown_field": true}""");
    assertEquals(200, r.status(), r.raw().body());
    JsonNode results = r.json().path("results");
    assertEquals(2, results.size());
    for (JsonNode hit : results) {
      String file = hit.path("metadata").path("file_name").asText();
      assertTrue(file.equals("volcano.txt") || file.equals("ocean.txt"), file);
    }
    Reply bad = send("POST", "/indexes/docs/search",
        "{\"query\": \"x\", \"metadata_filters\": {\"file_name\": {\"~\": 1}}}");
    assertError(bad, 400, "bad_request", "metadata_filters");
  }

  @Test
  void hybridSearchUsesKeywords() throws Exception {
    Reply r = send("POST", "/indexes/docs/search",
        "{\"query\": \"sourdough starter\", \"top_k\": 2, \"vector_weight\": 0.3}");
    assertEquals(200, r.status(), r.raw().body());
    assertEquals("bread.txt", r.json().path("results").get(0).path("metadata").path("file_name").asText());
  }

  @Test
  void ingestThroughTheApiThenSearchThenDelete() throws Exception {
    Reply created = send("PUT", "/indexes/notes", "{\"shards\": 1, \"metric\": \"cosine\"}");
    assertEquals(201, created.status(), created.raw().body());
    assertEquals("empty", created.json().path("status").asText());
    assertError(send("PUT", "/indexes/notes", ""), 409, "conflict", "already exists");

    Reply accepted = send("POST", "/indexes/notes/documents", """
        [{"text": "The lighthouse keeper climbed the tower every night to light the lamp for passing ships.",
          "metadata": {"author": "ann", "year": 1890}},
         {"text": "Tomatoes ripen faster on the vine when the summer nights are warm."}]""");
    assertEquals(202, accepted.status(), accepted.raw().body());
    String job = accepted.json().path("id").asText();
    assertEquals("/jobs/" + job, accepted.raw().headers().firstValue("Location").orElseThrow());
    assertEquals("notes", accepted.json().path("index").asText());

    JsonNode status = awaitJob(job);
    assertEquals("done", status.path("state").asText(), status.toString());
    assertEquals(2, status.path("total").asInt());
    assertEquals(2, status.path("documents").asInt(), status.toString());
    assertEquals(2, status.path("passages_added").asInt(), status.toString());
    assertEquals(0, status.path("passages_removed").asInt(), status.toString());
    assertEquals("added 2 passages from 2 documents", status.path("result").asText());
    assertEquals("ready", send("GET", "/indexes/notes", null).json().path("status").asText());

    Reply found = send("POST", "/indexes/notes/search",
        "{\"query\": \"who lights the lamp in the tower?\", \"top_k\": 1}");
    assertEquals(200, found.status(), found.raw().body());
    JsonNode hit = found.json().path("results").get(0);
    assertTrue(hit.path("text").asText().contains("lighthouse"), hit.toString());
    assertEquals("ann", hit.path("metadata").path("author").asText());
    assertEquals(1890, hit.path("metadata").path("year").asInt());
    // A document's own metadata filters as the pipeline's does: the tomato passage, nearest to the
    // query, has no author.
    Reply byAuthor = send("POST", "/indexes/notes/search", """
        {"query": "tomatoes on the vine", "top_k": 2, "metadata_filters": {"author": {"==": "ann"}}}""");
    assertEquals(200, byAuthor.status(), byAuthor.raw().body());
    JsonNode annOnly = byAuthor.json().path("results");
    assertEquals(1, annOnly.size(), annOnly.toString());
    assertTrue(annOnly.get(0).path("text").asText().contains("lighthouse"), annOnly.toString());
    assertEquals(0, send("POST", "/indexes/notes/search", """
        {"query": "lighthouse", "metadata_filters": {"year": {">": 1900}}}""").json().path("results").size());

    Reply deleted = send("DELETE", "/indexes/notes", null);
    assertEquals(200, deleted.status(), deleted.raw().body());
    assertTrue(deleted.json().path("deleted").asBoolean());
    assertError(send("GET", "/indexes/notes", null), 404, "not_found", "notes");
    assertError(send("POST", "/indexes/notes/search", "{\"query\": \"lighthouse\"}"), 404, "not_found", "notes");
    assertError(send("DELETE", "/indexes/notes", null), 404, "not_found", "notes");
  }

  @Test
  void documentsAreDeletedByTheirMetadata() throws Exception {
    assertEquals(201, send("PUT", "/indexes/shelf", "{\"shards\": 1}").status());
    String added = send("POST", "/indexes/shelf/documents", """
        [{"text": "The lighthouse keeper climbed the tower every night to light the lamp.", "metadata": {"doc": "a"}},
         {"text": "Tomatoes ripen faster on the vine when the summer nights are warm.", "metadata": {"doc": "b"}},
         {"text": "A sourdough starter needs flour and water every day.", "metadata": {"doc": "c"}}]""")
        .json().path("id").asText();
    assertEquals("done", awaitJob(added).path("state").asText());

    assertError(send("POST", "/indexes/shelf/documents/delete", "{}"), 400, "bad_request", "'metadata_filters'");
    assertError(send("POST", "/indexes/shelf/documents/delete", "{\"metadata_filters\": {\"doc\": 1}}"),
        400, "bad_request", "'metadata_filters.doc'");
    assertError(send("POST", "/indexes/docs/documents/delete", "{\"metadata_filters\": {\"doc\": {\"==\": \"a\"}}}"),
        409, "conflict", "leann build");
    assertError(send("POST", "/indexes/missing/documents/delete", "{\"metadata_filters\": {\"doc\": {\"==\": \"a\"}}}"),
        404, "not_found", "missing");

    Reply accepted = send("POST", "/indexes/shelf/documents/delete",
        "{\"metadata_filters\": {\"doc\": {\"in\": [\"a\", \"c\"]}}}");
    assertEquals(202, accepted.status(), accepted.raw().body());
    JsonNode status = awaitJob(accepted.json().path("id").asText());
    assertEquals("done", status.path("state").asText(), status.toString());
    assertEquals(2, status.path("passages_removed").asInt(), status.toString());
    assertEquals(1, status.path("done").asInt(), "the index's passages once published: " + status);
    assertEquals(1, send("GET", "/indexes/shelf", null).json().path("passages").asInt());
    JsonNode none = awaitJob(send("POST", "/indexes/shelf/documents/delete",
        "{\"metadata_filters\": {\"doc\": {\"==\": \"z\"}}}").json().path("id").asText());
    assertEquals("done", none.path("state").asText(), none.toString());
    assertEquals(0, none.path("passages_removed").asInt(), none.toString());
    assertEquals("the filter matched no passage: nothing changed", none.path("result").asText());
    JsonNode hits = send("POST", "/indexes/shelf/search", "{\"query\": \"who lights the lamp?\", \"top_k\": 3}")
        .json().path("results");
    assertEquals(1, hits.size(), hits.toString());
    assertEquals("b", hits.get(0).path("metadata").path("doc").asText());

    JsonNode everything = awaitJob(send("POST", "/indexes/shelf/documents/delete",
        "{\"metadata_filters\": {\"doc\": {\"==\": \"b\"}}}").json().path("id").asText());
    assertEquals("failed", everything.path("state").asText());
    assertTrue(everything.path("error").asText().contains("delete the index instead"), everything.toString());
    assertEquals(1, send("GET", "/indexes/shelf", null).json().path("passages").asInt(), "nothing was deleted");
    assertEquals(200, send("DELETE", "/indexes/shelf", null).status());
  }

  @Test
  void documentsAreValidated() throws Exception {
    assertError(send("POST", "/indexes/docs/documents", "[]"), 400, "bad_request", "'documents'");
    assertError(send("POST", "/indexes/docs/documents", "[{\"text\": \"ok\"}, {\"text\": \"  \"}]"),
        400, "bad_request", "'documents[1].text'");
    assertError(send("POST", "/indexes/docs/documents", "[{\"text\": \"ok\", \"metadata\": [1]}]"),
        400, "bad_request", "'documents[0].metadata' must be a JSON object");
    assertError(send("POST", "/indexes/docs/documents", "{\"documents\": []}"), 400, "bad_request", "JSON array");
    assertError(send("POST", "/indexes/docs/documents", "[{\"text\": \"a file-built index\"}]"),
        409, "conflict", "leann build");
    assertError(send("POST", "/indexes/missing/documents", "[{\"text\": \"x\"}]"), 404, "not_found", "missing");
    assertError(send("GET", "/jobs/job-0-0", null), 404, "not_found", "job-0-0");
  }

  // ---- errors ----

  @Test
  void malformedJsonIs400WithTheLocation() throws Exception {
    Reply r = send("POST", "/indexes/docs/search", "{\"query\": \"cats\",, }");
    assertError(r, 400, "invalid_json", "not valid JSON");
    assertTrue(r.json().path("error").path("message").asText().contains("line 1, column"), r.raw().body());
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\"} {\"top_k\": 1}"), 400, "bad_request",
        "after the JSON value");
    assertError(send("POST", "/indexes/docs/search", ""), 400, "bad_request", "empty");
  }

  @Test
  void wrongTypeIs400NamingTheField() throws Exception {
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": \"five\"}"),
        400, "bad_request", "'top_k' must be an integer (got \"five\")");
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": 2.5}"),
        400, "bad_request", "'top_k'");
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\", \"recompute\": {}}"),
        400, "bad_request", "'recompute'");
    assertError(send("POST", "/indexes/docs/search", "[\"cats\"]"), 400, "bad_request", "must be a JSON object");
  }

  @Test
  void invalidValuesAre400NamingTheField() throws Exception {
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"   \"}"), 400, "bad_request", "'query'");
    assertError(send("POST", "/indexes/docs/search", "{\"top_k\": 3}"), 400, "bad_request", "'query'");
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": 0}"),
        400, "bad_request", "'top_k'");
    assertError(send("POST", "/indexes/docs/search", "{\"query\": \"cats\", \"vector_weight\": 2}"),
        400, "bad_request", "'vector_weight'");
    assertError(send("PUT", "/indexes/new-one", "{\"metric\": \"hamming\"}"), 400, "bad_request", "'metric'");
    assertError(send("GET", "/indexes/bad..name", null), 400, "bad_request", "invalid index name");
  }

  @Test
  void unknownIndexIs404() throws Exception {
    assertError(send("POST", "/indexes/nope/search", "{\"query\": \"cats\"}"), 404, "not_found", "'nope'");
    assertError(send("GET", "/indexes/nope", null), 404, "not_found", "'nope'");
  }

  @Test
  void oversizeBodyIs413() throws Exception {
    String big = "{\"query\": \"" + "x".repeat((int) MAX_BODY) + "\"}";
    assertError(send("POST", "/indexes/docs/search", big), 413, "payload_too_large", String.valueOf(MAX_BODY));
    // Without a Content-Length (chunked), the limit is found while reading.
    byte[] bytes = big.getBytes();
    BodyPublisher chunked = BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    assertError(sendBody("POST", "/indexes/docs/search", chunked, Map.of()),
        413, "payload_too_large", String.valueOf(MAX_BODY));
  }

  @Test
  void unknownRouteIs404AndWrongMethodIs405() throws Exception {
    assertError(send("GET", "/nowhere", null), 404, "not_found", "GET /nowhere");
    assertError(send("GET", "/indexes/docs/search", null), 405, "method_not_allowed", "POST");
    Reply r = send("DELETE", "/health", null);
    assertError(r, 405, "method_not_allowed", "GET");
    assertEquals("GET", r.raw().headers().firstValue("Allow").orElseThrow());
  }

  @Test
  void adminNeedsTheToken() throws Exception {
    Reply none = anonymous("GET", "/admin/nodes", null);
    assertError(none, 401, "unauthorized", "Bearer");
    assertTrue(none.raw().headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    assertError(admin("GET", "/admin/nodes", null, "wrong"), 401, "unauthorized", "not valid");

    Reply nodes = admin("GET", "/admin/nodes", null, TOKEN);
    assertEquals(200, nodes.status(), nodes.raw().body());
    assertEquals("local", nodes.json().path("nodes").get(0).path("address").asText());
    Reply lower = send("GET", "/admin/shards", null, Map.of("Authorization", "bearer " + TOKEN));
    assertEquals(200, lower.status(), lower.raw().body());
    int docsShards = 0;
    for (JsonNode s : lower.json().path("shards")) {
      docsShards += s.path("index").asText().equals("docs") ? 1 : 0;
      assertEquals("local", s.path("actual_node").asText());
    }
    assertEquals(2, docsShards);

    String move = "{\"node\": \"pekko://leann@127.0.0.1:2552\"}";
    assertError(admin("PUT", "/admin/indexes/docs/shards/1", move, TOKEN), 400, "not_a_cluster", "standalone");
    assertError(admin("PUT", "/admin/indexes/docs/shards/9", move, TOKEN), 404, "not_found", "docs/9");
    assertError(admin("PUT", "/admin/indexes/docs/shards/one", move, TOKEN), 400, "bad_request", "'shard'");
    assertError(admin("PUT", "/admin/indexes/docs/shards/1", "{}", TOKEN), 400, "bad_request", "'node'");
    assertError(admin("POST", "/admin/indexes/docs/rebalance", null, TOKEN), 400, "not_a_cluster", "standalone");
    assertError(anonymous("POST", "/admin/indexes/docs/rebalance", null), 401, "unauthorized", "Bearer");
  }

  // ---- MCP over Streamable HTTP (tool semantics: McpServerTest) ----

  private static final String MCP_INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
      + "\"params\":{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

  @Test
  void mcpRequestsGetJsonAndNotificationsGetAccepted() throws Exception {
    Reply init = send("POST", "/mcp", MCP_INITIALIZE);
    assertEquals(200, init.status(), init.raw().body());
    assertEquals("application/json", init.raw().headers().firstValue("Content-Type").orElseThrow());
    assertEquals("2025-03-26", init.json().at("/result/protocolVersion").asText());

    Reply initialized = send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
        Map.of("MCP-Protocol-Version", "2025-03-26"));
    assertEquals(202, initialized.status());
    assertEquals("", initialized.raw().body());

    Reply search = send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"leann_search\",\"arguments\":{\"index_name\":\"docs\",\"query\":\"rocket engines and orbit\","
        + "\"top_k\":1}}}", Map.of("MCP-Protocol-Version", "2025-03-26", "Origin", "http://localhost:6274"));
    assertEquals(200, search.status(), search.raw().body());
    assertFalse(search.json().at("/result/isError").asBoolean());
    assertTrue(search.json().at("/result/content/0/text").asText().contains("rockets.txt"), search.raw().body());

    Reply unknownIndex = send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{"
        + "\"name\":\"leann_search\",\"arguments\":{\"index_name\":\"nope\",\"query\":\"x\"}}}");
    assertEquals(200, unknownIndex.status(), "a failed tool is a result, not an HTTP error");
    assertTrue(unknownIndex.json().at("/result/isError").asBoolean());
  }

  @Test
  void mcpRefusesMalformedMessagesOtherMethodsForeignOriginsAndUnknownVersions() throws Exception {
    Reply garbage = send("POST", "/mcp", "{nope");
    assertEquals(400, garbage.status());
    assertEquals(-32700, garbage.json().at("/error/code").asInt());

    Reply get = send("GET", "/mcp", null);
    assertError(get, 405, "method_not_allowed", "POST only");
    assertEquals("POST", get.raw().headers().firstValue("Allow").orElseThrow());
    assertError(send("POST", "/mcp", MCP_INITIALIZE, Map.of("Origin", "https://evil.example")), 403, "forbidden",
        "loopback origin");
    assertError(send("POST", "/mcp", MCP_INITIALIZE, Map.of("MCP-Protocol-Version", "2030-01-01")), 400,
        "bad_request", "2030-01-01");
  }

  // ---- helpers ----

  private static JsonNode awaitJob(String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Reply r = send("GET", "/jobs/" + id, null);
      assertEquals(200, r.status(), r.raw().body());
      String state = r.json().path("state").asText();
      if (state.equals("done") || state.equals("failed")) {
        return r.json();
      }
      Thread.sleep(200);
    }
    return fail("job " + id + " did not finish in 120 s");
  }

  private static void assertError(Reply r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r.raw().body());
    assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        r.raw().headers().toString());
    assertEquals(code, r.json().path("error").path("code").asText(), r.raw().body());
    assertTrue(r.json().path("error").path("message").asText().contains(messagePart),
        "expected '" + messagePart + "' in " + r.raw().body());
  }

  private static Reply admin(String method, String path, String body, String token) throws Exception {
    return send(method, path, body, Map.of("Authorization", "Bearer " + token));
  }

  private static Reply send(String method, String path, String body) throws Exception {
    return send(method, path, body, Map.of());
  }

  private static Reply anonymous(String method, String path, String body) throws Exception {
    return send(method, path, body, Map.of("Authorization", ""));
  }

  private static Reply send(String method, String path, String body, Map<String, String> headers) throws Exception {
    return sendBody(method, path, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body), headers);
  }

  private static Reply sendBody(String method, String path, BodyPublisher body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body).header("Content-Type", "application/json");
    if (!headers.containsKey("Authorization")) {
      b.header("Authorization", "Bearer " + WRITE_KEY);
    }
    headers.forEach((name, value) -> {
      if (!value.isEmpty()) {
        b.header(name, value);
      }
    });
    HttpResponse<String> response = client.send(b.build(), BodyHandlers.ofString());
    JsonNode json = response.body().isEmpty() ? Json.mapper().nullNode() : Json.mapper().readTree(response.body());
    return new Reply(response.statusCode(), json, response);
  }
}
