package io.leann.coordinator.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.coordinator.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Model Context Protocol server over a stream pair (stdio for {@code leann mcp}): JSON-RPC 2.0,
 * one message per line, as MCP's stdio transport frames it. It answers {@code initialize} (with
 * the newest of {@link #PROTOCOL_VERSIONS} the client also speaks), {@code ping},
 * {@code tools/list} and {@code tools/call} for the {@link LeannTools}; notifications get no reply,
 * and replies the client sends (this server never asks it anything) are ignored.
 *
 * <p>Errors follow JSON-RPC: a line that is not JSON gets -32700 with a null id, a message that is
 * not a request -32600, an unknown method -32601, bad tool parameters or an unknown tool -32602.
 * A tool that fails (unknown index, a bad field, no shard answering) is not a protocol error: its
 * result says {@code isError} with the reason, so the model can read it and correct itself.
 *
 * <p>Transports: {@link #serve} answers a stream pair (stdio) one message after the other;
 * {@link #handle(String)} answers one message asynchronously, for the HTTP endpoint. Thread-safe:
 * the server keeps no per-session state (the negotiated version is only told to the client).
 */
public final class McpServer {
  /** Protocol revisions this server speaks, newest first. */
  public static final List<String> PROTOCOL_VERSIONS = List.of("2025-06-18", "2025-03-26", "2024-11-05");

  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;

  private static final Logger log = LoggerFactory.getLogger(McpServer.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final LeannTools tools;
  private final String version;
  private final ObjectMapper mapper = Json.mapper();

  /** A JSON-RPC error to answer with. */
  static final class RpcError extends Exception {
    final int code;

    RpcError(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /**
   * @param tools what {@code tools/list} and {@code tools/call} serve
   * @param version this server's version, told to the client
   */
  public McpServer(LeannTools tools, String version) {
    this.tools = tools;
    this.version = version;
  }

  /** Answers every line of {@code in} on {@code out}, one after the other, until {@code in} ends. */
  public void serve(BufferedReader in, Writer out) throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode reply = handle(line).toCompletableFuture().join();
      if (reply != null) {
        out.write(mapper.writeValueAsString(reply));
        out.write('\n');
        out.flush();
      }
    }
  }

  /**
   * The reply to one message (or batch) in JSON text; null when it needs none (notifications,
   * client replies). The stage never fails.
   */
  public CompletionStage<JsonNode> handle(String text) {
    JsonNode message;
    try {
      message = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      return done(error(NullNode.instance, PARSE_ERROR, "Parse error: " + e.getOriginalMessage()));
    }
    if (message == null) {
      return done(error(NullNode.instance, INVALID_REQUEST, "Invalid Request: empty message"));
    }
    if (!message.isArray()) {
      return handle(message);
    }
    // A JSON-RPC batch (MCP 2025-03-26); each member is answered in the reply array.
    if (message.isEmpty()) {
      return done(error(NullNode.instance, INVALID_REQUEST, "Invalid Request: empty batch"));
    }
    List<CompletableFuture<JsonNode>> members = new ArrayList<>();
    message.forEach(m -> members.add(handle(m).toCompletableFuture()));
    return CompletableFuture.allOf(members.toArray(CompletableFuture[]::new)).thenApply(all -> {
      ArrayNode replies = NODES.arrayNode();
      members.stream().map(CompletableFuture::join).filter(Objects::nonNull).forEach(replies::add);
      return replies.isEmpty() ? null : replies;
    });
  }

  /** Whether {@code reply} says its message was not JSON-RPC at all (parse error or invalid request). */
  public static boolean isMalformed(JsonNode reply) {
    int code = reply == null ? 0 : reply.path("error").path("code").asInt();
    return code == PARSE_ERROR || code == INVALID_REQUEST;
  }

  private CompletionStage<JsonNode> handle(JsonNode message) {
    if (message.isObject() && !message.has("method") && (message.has("result") || message.has("error"))) {
      return done(null);
    }
    JsonNode id = message.get("id");
    boolean validId = id == null || id.isTextual() || id.isIntegralNumber();
    if (!message.isObject() || !"2.0".equals(message.path("jsonrpc").asText(null))
        || !message.path("method").isTextual() || !validId) {
      return done(error(validId && id != null ? id : NullNode.instance, INVALID_REQUEST,
          "Invalid Request: expected a JSON-RPC 2.0 object with a string \"method\" and a string or integer \"id\""));
    }
    String method = message.get("method").asText();
    JsonNode params = message.path("params");
    CompletionStage<JsonNode> result;
    try {
      result = switch (method) {
        case "initialize" -> done(initialize(params));
        case "ping" -> done(NODES.objectNode());
        case "tools/list" -> done(toolsList());
        case "tools/call" -> toolsCall(params);
        default -> {
          if (id == null) {
            yield done(null);
          }
          throw new RpcError(METHOD_NOT_FOUND, "Method not found: " + method);
        }
      };
    } catch (RpcError e) {
      return done(id == null ? null : error(id, e.code, e.getMessage()));
    } catch (RuntimeException e) {
      log.error("MCP {} failed", method, e);
      return done(id == null ? null : error(id, INTERNAL_ERROR, "Internal error: " + e));
    }
    return result.thenApply(value -> id == null ? null
        : NODES.objectNode().put("jsonrpc", "2.0").<ObjectNode>set("id", id).set("result", value));
  }

  private JsonNode initialize(JsonNode params) {
    String asked = params.path("protocolVersion").asText("");
    ObjectNode result = NODES.objectNode()
        .put("protocolVersion", PROTOCOL_VERSIONS.contains(asked) ? asked : PROTOCOL_VERSIONS.getFirst());
    result.putObject("capabilities").putObject("tools").put("listChanged", false);
    result.putObject("serverInfo").put("name", "leann").put("version", version);
    result.put("instructions", "Search the user's LEANN indexes: leann_list names them, leann_search "
        + "returns the passages that best match a query, each with its source file.");
    return result;
  }

  private JsonNode toolsList() {
    ObjectNode result = NODES.objectNode();
    ArrayNode list = result.putArray("tools");
    for (LeannTools.Tool tool : tools.list()) {
      list.addObject().put("name", tool.name()).put("description", tool.description())
          .set("inputSchema", tool.inputSchema());
    }
    return result;
  }

  private CompletionStage<JsonNode> toolsCall(JsonNode params) throws RpcError {
    if (!params.path("name").isTextual()) {
      throw new RpcError(INVALID_PARAMS, "Invalid params: tools/call needs a string \"name\"");
    }
    JsonNode arguments = params.path("arguments");
    if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
      throw new RpcError(INVALID_PARAMS, "Invalid params: \"arguments\" must be an object");
    }
    String name = params.get("name").asText();
    if (!tools.has(name)) {
      throw new RpcError(INVALID_PARAMS, "Unknown tool: " + name);
    }
    return tools.call(name, arguments.isObject() ? (ObjectNode) arguments : NODES.objectNode()).thenApply(outcome -> {
      ObjectNode result = NODES.objectNode();
      result.putArray("content").addObject().put("type", "text").put("text", outcome.text());
      return result.put("isError", outcome.isError());
    });
  }

  private static CompletionStage<JsonNode> done(JsonNode value) {
    return CompletableFuture.completedFuture(value);
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode reply = NODES.objectNode().put("jsonrpc", "2.0").set("id", id);
    reply.putObject("error").put("code", code).put("message", message);
    return reply;
  }
}
