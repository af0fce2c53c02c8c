package io.leann.coordinator.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cli.LeannCli;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.local.SmallIndex;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leann mcp} over a real index (the shipped ONNX model, pruned, recompute search): a client
 * session through the CLI as an MCP client drives it over stdio, then every JSON-RPC and tool error
 * a client can provoke, against the server directly.
 */
class McpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path root;
  static LocalLeannService service;
  static McpServer server;

  @BeforeAll
  static void build() throws Exception {
    SmallIndex.build(root, "docs");
    service = new LocalLeannService(Map.of("LEANN_INDEX_DIR", root.toString()));
    server = new McpServer(new LeannTools(service, Duration.ofSeconds(60)), "test");
  }

  @AfterAll
  static void close() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void aClientSessionOverStdioListsAndSearches() throws Exception {
    String session = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"test-client\",\"version\":\"1\"}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}",
        "",
        "{\"jsonrpc\":\"2.0\",\"id\":\"three\",\"method\":\"tools/call\",\"params\":{\"name\":\"leann_list\",\"arguments\":{}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":{\"name\":\"leann_search\","
            + "\"arguments\":{\"index_name\":\"docs\",\"query\":\"baking a loaf with wild yeast\",\"top_k\":2}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}") + "\n";
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(Map.of("LEANN_INDEX_DIR", root.toString()),
        new ByteArrayInputStream(session.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out, true),
        new PrintWriter(err, true), "mcp");
    assertEquals(0, code, err.toString());
    List<JsonNode> replies = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      replies.add(JSON.readTree(line));
    }
    assertEquals(5, replies.size(), "one reply per request, none for the notification: " + out);

    JsonNode init = replies.get(0);
    assertEquals(1, init.get("id").asInt());
    assertEquals("2025-06-18", init.at("/result/protocolVersion").asText());
    assertEquals("leann", init.at("/result/serverInfo/name").asText());
    assertTrue(init.at("/result/capabilities/tools").isObject());

    JsonNode tools = replies.get(1).at("/result/tools");
    assertEquals(List.of("leann_list", "leann_search"), List.of(tools.get(0).get("name").asText(),
        tools.get(1).get("name").asText()));
    assertEquals("[\"index_name\",\"query\"]", tools.get(1).at("/inputSchema/required").toString());
    assertEquals("object", tools.get(0).at("/inputSchema/type").asText());

    JsonNode list = replies.get(2);
    assertEquals("three", list.get("id").asText());
    assertFalse(list.at("/result/isError").asBoolean());
    assertTrue(text(list).contains("- docs: 6 passages, sentence-transformers/all-MiniLM-L6-v2 (384-d, cosine)"),
        text(list));

    JsonNode search = replies.get(3);
    assertFalse(search.at("/result/isError").asBoolean(), search.toString());
    String found = text(search);
    assertTrue(found.startsWith("2 passages for \"baking a loaf with wild yeast\" in index 'docs'"), found);
    String firstHeading = found.lines().filter(l -> l.startsWith("[1] ")).findFirst().orElseThrow();
    assertTrue(firstHeading.endsWith("bread.txt (line 1)"), found);
    assertTrue(found.contains(SmallIndex.FILES.get("bread.txt")), "the passage's full text: " + found);
    assertTrue(found.contains("[2] (score "), found);

    assertEquals("{}", replies.get(4).get("result").toString());
  }

  @Test
  void toolFailuresAreResultsTheModelCanRead() throws Exception {
    assertToolError("{\"index_name\":\"nope\",\"query\":\"x\"}", "index 'nope' does not exist");
    assertToolError("{\"index_name\":\"docs\"}", "field 'query' is required");
    assertToolError("{\"index_name\":\"docs\",\"query\":\"x\",\"top_k\":\"many\"}", "top_k");
    assertToolError("{\"index_name\":\"docs\",\"query\":\"x\",\"top_k\":0}", "field 'top_k' must be in [1, 1000]");
    assertToolError("{\"query\":\"x\"}", "field 'index_name' is required");
    assertToolError("{\"index_name\":\"docs\",\"query\":\"x\",\"metadata_filters\":{\"file_name\":{\"~\":1}}}",
        "~");
  }

  @Test
  void filtersAndHybridSearchGoThrough() throws Exception {
    String filtered = text(call("leann_search", "{\"index_name\":\"docs\",\"query\":\"baking bread\",\"top_k\":3,"
        + "\"metadata_filters\":{\"file_name\":{\"==\":\"cats.txt\"}}}"));
    assertTrue(filtered.startsWith("1 passage for"), filtered);
    assertTrue(filtered.contains("cats.txt"), filtered);
    String hybrid = text(call("leann_search",
        "{\"index_name\":\"docs\",\"query\":\"magma eruption\",\"top_k\":1,\"vector_weight\":0.5}"));
    assertTrue(hybrid.contains("volcano.txt"), hybrid);
  }

  @Test
  void jsonRpcErrorsFollowTheSpecification() throws Exception {
    JsonNode parse = reply("{not json");
    assertEquals(McpServer.PARSE_ERROR, parse.at("/error/code").asInt());
    assertTrue(parse.get("id").isNull());

    JsonNode noVersion = reply("{\"id\":7,\"method\":\"ping\"}");
    assertEquals(McpServer.INVALID_REQUEST, noVersion.at("/error/code").asInt());
    assertEquals(7, noVersion.get("id").asInt());
    assertEquals(McpServer.INVALID_REQUEST,
        reply("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}").at("/error/code").asInt());
    assertEquals(McpServer.INVALID_REQUEST, reply("[]").at("/error/code").asInt());

    JsonNode unknown = reply("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/list\"}");
    assertEquals(McpServer.METHOD_NOT_FOUND, unknown.at("/error/code").asInt());
    assertTrue(unknown.at("/error/message").asText().contains("resources/list"));
    assertNull(reply("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{}}"));
    assertNull(reply("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}"), "a client's reply needs none");

    JsonNode noTool = reply(request(10, "tools/call", "{\"name\":\"rm_rf\",\"arguments\":{}}"));
    assertEquals(McpServer.INVALID_PARAMS, noTool.at("/error/code").asInt());
    assertTrue(noTool.at("/error/message").asText().contains("Unknown tool: rm_rf"));
    assertEquals(McpServer.INVALID_PARAMS,
        reply(request(11, "tools/call", "{\"arguments\":{}}")).at("/error/code").asInt());
    assertEquals(McpServer.INVALID_PARAMS, reply(
        request(12, "tools/call", "{\"name\":\"leann_list\",\"arguments\":[1]}")).at("/error/code").asInt());

    JsonNode batch = reply("[" + request(13, "ping", "{}") + ","
        + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}," + request(14, "nope", "{}") + "]");
    assertEquals(2, batch.size());
    assertEquals(13, batch.get(0).get("id").asInt());
    assertEquals(McpServer.METHOD_NOT_FOUND, batch.get(1).at("/error/code").asInt());
  }

  @Test
  void theProtocolVersionIsTheClientsWhenSpokenElseTheNewest() {
    assertEquals("2024-11-05", reply(request(1, "initialize", "{\"protocolVersion\":\"2024-11-05\"}"))
        .at("/result/protocolVersion").asText());
    assertEquals(McpServer.PROTOCOL_VERSIONS.getFirst(),
        reply(request(2, "initialize", "{\"protocolVersion\":\"1999-01-01\"}"))
            .at("/result/protocolVersion").asText());
  }

  private static void assertToolError(String arguments, String expected) throws Exception {
    JsonNode reply = call("leann_search", arguments);
    assertTrue(reply.at("/result/isError").asBoolean(), reply.toString());
    assertTrue(text(reply).contains(expected), "expected \"" + expected + "\" in: " + text(reply));
  }

  private static JsonNode call(String tool, String arguments) {
    return reply(request(1, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}"));
  }

  private static JsonNode reply(String message) {
    return server.handle(message).toCompletableFuture().join();
  }

  private static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  private static String text(JsonNode reply) {
    return reply.at("/result/content/0/text").asText();
  }
}
