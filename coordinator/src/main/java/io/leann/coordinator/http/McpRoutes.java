package io.leann.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.coordinator.api.Json;
import io.leann.coordinator.mcp.McpServer;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /mcp}: the {@link McpServer} over MCP's Streamable HTTP transport, JSON replies only. A
 * {@code POST} carries one JSON-RPC message or batch: requests are answered with
 * {@code application/json}, a body of only notifications or client replies with 202 and no body,
 * and a body that is not JSON-RPC at all with 400 and the JSON-RPC error. The server offers no
 * stream of its own, so {@code GET} and {@code DELETE} (sessions are not used) answer 405.
 *
 * <p>Access: {@link LeannRoutes} lets only keys with the read scope reach this route, which is
 * enough because every tool only reads. A tool that writes would need the write scope checked
 * for its call ({@link AccessControl}).
 *
 * <p>DNS rebinding: browsers send {@code Origin}; a request whose {@code Origin} is not a loopback
 * host is refused with 403, so a web page cannot drive a server bound on a developer's machine.
 * MCP clients outside a browser send no {@code Origin}. A {@code MCP-Protocol-Version} header naming
 * a revision this server does not speak is a 400, as the specification asks.
 */
final class McpRoutes extends AllDirectives {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final McpServer server;

  McpRoutes(McpServer server) {
    this.server = server;
  }

  /** The route for {@code /mcp}; the caller matches the path. */
  Route route() {
    return optionalHeaderValueByName("Origin", origin -> optionalHeaderValueByName("MCP-Protocol-Version",
        version -> {
          if (origin.isPresent() && !loopback(origin.get())) {
            return complete(StatusCodes.FORBIDDEN, ErrorResponse.of("forbidden",
                "MCP requests from a browser page are accepted only from a loopback origin, not " + origin.get()),
                Json.marshaller());
          }
          if (version.isPresent() && !McpServer.PROTOCOL_VERSIONS.contains(version.get())) {
            return complete(StatusCodes.BAD_REQUEST, ErrorResponse.of("bad_request", "MCP-Protocol-Version "
                + version.get() + " is not one of " + McpServer.PROTOCOL_VERSIONS), Json.marshaller());
          }
          return concat(
              post(() -> entity(Unmarshaller.entityToString(), body -> onSuccess(server.handle(body), this::answer))),
              complete(HttpResponse.create().withStatus(StatusCodes.METHOD_NOT_ALLOWED)
                  .addHeader(Allow.create(HttpMethods.POST))
                  .withEntity(ContentTypes.APPLICATION_JSON, Json.bytes(ErrorResponse.of("method_not_allowed",
                      "this MCP endpoint takes POST only: it offers no server-sent stream and no sessions")))));
        }));
  }

  private Route answer(JsonNode reply) {
    if (reply == null) {
      return complete(HttpResponse.create().withStatus(StatusCodes.ACCEPTED));
    }
    return complete(HttpResponse.create()
        .withStatus(McpServer.isMalformed(reply) ? StatusCodes.BAD_REQUEST : StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(reply))));
  }

  private static boolean loopback(String origin) {
    try {
      return Optional.ofNullable(URI.create(origin).getHost()).map(LOOPBACK::contains).orElse(false);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
