package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.coordinator.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong JSON types are 400s naming the field, on every route that reads a body: no scalar is
 * coerced ({@link Json}) and a metadata filter is checked field by field and operator by operator
 * (the filter's own validation, the same for HTTP, MCP and the CLI). Each request here would have
 * been accepted, and meant something else, before.
 */
class StrictRequestTest {
  @TempDir static Path root;
  static LoopbackApi api;
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    api = LoopbackApi.start(root, (system, service) ->
        HttpServer.start(system, service, "127.0.0.1", 0, HttpSettings.defaults()));
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** {@code body} sent to {@code path} is refused with a 400 whose message names {@code field}; the message. */
  private static String refused(String method, String path, String body, String field) throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(api.base() + path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .method(method, BodyPublishers.ofString(body)).build(), BodyHandlers.ofString());
    assertEquals(400, r.statusCode(), () -> body + " -> " + r.body());
    JsonNode error = Json.mapper().readTree(r.body()).path("error");
    assertEquals("bad_request", error.path("code").asText(), r.body());
    assertTrue(error.path("message").asText().contains("'" + field + "'"),
        () -> body + ": expected field '" + field + "' in " + r.body());
    return error.path("message").asText();
  }

  private static String search(String body, String field) throws Exception {
    return refused("POST", "/indexes/docs/search", body, field);
  }

  @Test
  void searchScalarsAreNotCoerced() throws Exception {
    assertEquals("field 'query' must be a string (got true)", search("{\"query\": true}", "query"));
    search("{\"query\": 42}", "query");
    assertEquals("field 'top_k' must be an integer (got \"5\")", search("{\"query\": \"x\", \"top_k\": \"5\"}", "top_k"));
    assertEquals("field 'top_k' must be an integer (got \"\")", search("{\"query\": \"x\", \"top_k\": \"\"}", "top_k"));
    search("{\"query\": \"x\", \"top_k\": 5.0}", "top_k");
    search("{\"query\": \"x\", \"top_k\": true}", "top_k");
    assertEquals("field 'recompute' must be true or false (got -1)",
        search("{\"query\": \"x\", \"recompute\": -1}", "recompute"));
    search("{\"query\": \"x\", \"recompute\": \"true\"}", "recompute");
    search("{\"query\": \"x\", \"vector_weight\": \"0.5\"}", "vector_weight");
    search("{\"query\": \"x\", \"metadata_filters\": \"language\"}", "metadata_filters");
  }

  @Test
  void metadataFiltersAreCheckedPerFieldAndOperator() throws Exception {
    String[] filters = {"{\"language\": {}}", "{\"language\": {\"is_true\": \"maybe\"}}",
        "{\"language\": {\"==\": {}}}", "{\"language\": {\"in\": \"en\"}}", "{\"language\": {\"like\": \"en\"}}",
        "{\"language\": {\"<\": null}}", "{\"language\": \"en\"}"};
    for (String filter : filters) {
      search("{\"query\": \"x\", \"metadata_filters\": " + filter + "}", "metadata_filters.language");
    }
    refused("POST", "/indexes/docs/documents/delete", "{\"metadata_filters\": {\"language\": {}}}",
        "metadata_filters.language");
    refused("POST", "/indexes/docs/documents/delete", "{\"metadata_filters\": {\"language\": {\"is_false\": 0}}}",
        "metadata_filters.language");
  }

  @Test
  void everyOtherBodyIsStrictToo() throws Exception {
    refused("POST", "/indexes/docs/chat", "{\"question\": true}", "question");
    refused("POST", "/indexes/docs/chat", "{\"question\": \"q\", \"top_k\": \"3\"}", "top_k");
    refused("POST", "/indexes/docs/chat", "{\"question\": \"q\", \"stream\": 1}", "stream");
    refused("POST", "/indexes/docs/react", "{\"question\": \"q\", \"max_iterations\": \"2\"}", "max_iterations");
    refused("POST", "/indexes/docs/documents", "[{\"text\": 5}]", "documents[0].text");
    refused("POST", "/indexes/docs/documents", "[{\"text\": \"t\", \"metadata\": \"m\"}]", "documents[0].metadata");
    refused("PUT", "/indexes/strict", "{\"shards\": \"2\"}", "shards");
    refused("PUT", "/indexes/strict", "{\"compact\": \"yes\"}", "compact");
    refused("PUT", "/indexes/strict", "{\"recompute\": 0}", "recompute");
    refused("PUT", "/indexes/strict", "{\"model\": 7}", "model");
    refused("PUT", "/admin/indexes/docs/shards/0", "{\"node\": 5}", "node");
  }

  @Test
  void anIntegerIsANumberAndUnknownFieldsAreStillIgnored() throws Exception {
    HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(api.base() + "/indexes/docs/search"))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"query\": \"kitten\", \"top_k\": 2, \"vector_weight\": 1, \"future\": [1]}"))
        .build(), BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(2, Json.mapper().readTree(r.body()).path("results").size(), r.body());
  }
}
