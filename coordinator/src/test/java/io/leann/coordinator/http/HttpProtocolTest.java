package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.coordinator.api.Json;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP server as a raw socket sees it ({@link RawHttp}): the header-swallowing desync of the
 * Pekko HTTP parser is refused as one request ({@link HeaderGuard}), keep-alive pipelines still
 * work, and every error the engine answers itself is the API's JSON ({@link JsonParsingErrorHandler}).
 */
class HttpProtocolTest {
  /** What the desync smuggles: a request of its own, closing, so a second answer ends the exchange. */
  private static final String SMUGGLED = "GET /admin/nodes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  /** How long a connection may stay silent before the test takes it as left open by the server. */
  private static final int QUIET_MILLIS = 20_000;

  @TempDir static Path root;
  static LoopbackApi api;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    api = LoopbackApi.start(root, (system, service) ->
        HttpServer.start(system, service, "127.0.0.1", 0, HttpSettings.defaults()));
    port = Integer.parseInt(api.base().substring(api.base().lastIndexOf(':') + 1));
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static RawHttp.Exchange send(String request) throws Exception {
    return RawHttp.exchange(port, RawHttp.latin1(request), false, QUIET_MILLIS);
  }

  /** Exactly one response, a JSON error of {@code status} with {@code code}, and the connection closed after it. */
  private static JsonNode onlyError(RawHttp.Exchange exchange, int status, String code) throws Exception {
    assertEquals(1, exchange.responses().size(), () -> "responses: " + exchange.responses());
    assertTrue(exchange.closedByServer(), "the server must close the connection");
    RawHttp.Response r = exchange.responses().get(0);
    assertEquals(status, r.status(), r::toString);
    assertEquals("application/json", r.headers().get("content-type"), r::toString);
    JsonNode error = Json.mapper().readTree(r.body()).path("error");
    assertEquals(code, error.path("code").asText(), r::toString);
    assertTrue(!error.path("message").asText().isBlank(), r::toString);
    return error;
  }

  @Test
  void theIssuesDesyncIsOneRejectedRequest() throws Exception {
    String smuggled = "GET /admin/nodes HTTP/1.1\r\nHost: x\r\n\r\n";
    RawHttp.Exchange exchange = send("POST /health HTTP/1.1\r\nHost: x\r\nX-Foo: x\u00e9\r\nContent-Length: "
        + smuggled.length() + "\r\n\r\n" + smuggled);
    JsonNode error = onlyError(exchange, 400, "bad_request");
    assertTrue(error.path("message").asText().contains("'X-Foo'"), error::toString);
    assertEquals("close", exchange.responses().get(0).headers().get("connection"));
  }

  @Test
  void everyLeadByteAndHeaderIsRefused() throws Exception {
    for (String lead : List.of("\u00e9", "\u00f0", "\u00c3", "\u00e0\u00a0", "\u00f4\u0080")) {
      for (String header : List.of("X-Foo: x", "User-Agent: curl/8", "Content-Type: application/json", "Accept: */*",
          "Connection: keep-alive", "Host: x")) {
        String head = header.startsWith("Host") ? "" : "Host: x\r\n";
        RawHttp.Exchange exchange = send("POST /health HTTP/1.1\r\n" + head + header + lead + "\r\nContent-Length: "
            + SMUGGLED.length() + "\r\n\r\n" + SMUGGLED);
        onlyError(exchange, 400, "bad_request");
      }
    }
  }

  @Test
  void highBytesInAHeaderNameAndBareCarriageReturnsAreRefused() throws Exception {
    onlyError(send("POST /health HTTP/1.1\r\nHost: x\r\nX-F\u00e9o: x\r\nContent-Length: " + SMUGGLED.length()
        + "\r\n\r\n" + SMUGGLED), 400, "bad_request");
    onlyError(send("POST /health HTTP/1.1\r\nHost: x\r\nX-Foo: x\rContent-Length: " + SMUGGLED.length()
        + "\r\n\r\n" + SMUGGLED), 400, "bad_request");
    onlyError(send("POST /health HTTP/1.1\r\nHost: x\r\nX-Foo: x\u0000y\r\nContent-Length: " + SMUGGLED.length()
        + "\r\n\r\n" + SMUGGLED), 400, "bad_request");
  }

  @Test
  void bareLineFeedsFrameTheRequestAsCrLfWould() throws Exception {
    // LF-only line ends are read as line ends: the body stays the body, and no second request runs.
    RawHttp.Exchange exchange = send("POST /health HTTP/1.1\nHost: x\nConnection: close\nContent-Type: application/json\nContent-Length: "
        + SMUGGLED.length() + "\n\n" + SMUGGLED);
    onlyError(exchange, 405, "method_not_allowed");
  }

  @Test
  void validUtf8InAHeaderValuePasses() throws Exception {
    RawHttp.Exchange exchange = send("GET /health HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00c3\u00a9\r\n"
        + "Connection: close\r\n\r\n");
    assertEquals(1, exchange.responses().size(), () -> "responses: " + exchange.responses());
    assertEquals(200, exchange.responses().get(0).status());
  }

  @Test
  void aKeepAlivePipelineOfGoodRequestsGetsEveryAnswer() throws Exception {
    String search = "{\"query\": \"river\", \"top_k\": 1}";
    RawHttp.Exchange exchange = send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /indexes/docs/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + search.length() + "\r\n\r\n" + search
        + "GET /indexes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertEquals(List.of(200, 200, 200), exchange.responses().stream().map(RawHttp.Response::status).toList(),
        () -> "responses: " + exchange.responses());
    assertTrue(exchange.closedByServer());
  }

  @Test
  void garbageGetsAJsonErrorBeforeTheConnectionCloses() throws Exception {
    onlyError(send("GARBAGE\r\n\r\n"), 400, "bad_request");
    // The start of a TLS ClientHello sent to the plain-HTTP port, the client then done sending.
    byte[] hello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 0x5a, 0x11};
    onlyError(RawHttp.exchange(port, hello, false, QUIET_MILLIS), 400, "bad_request");
    // Shorter than any method the parser would wait to complete: answered at once, not at EOF.
    onlyError(send("FOO\r\n\r\n"), 400, "bad_request");
    onlyError(RawHttp.exchange(port, RawHttp.latin1("GE"), true, QUIET_MILLIS), 400, "bad_request");
  }

  @Test
  void engineErrorsAreJson() throws Exception {
    onlyError(send("GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri_too_long");
    // Pekko answers too many headers with 400, too long a header with 431.
    JsonNode tooMany = onlyError(send("GET /health HTTP/1.1\r\nHost: x\r\n" + "X-Many: 1\r\n".repeat(70) + "\r\n"),
        400, "bad_request");
    assertTrue(tooMany.path("message").asText().contains("64 headers"), tooMany::toString);
    onlyError(send("GET /health HTTP/1.1\r\nHost: x\r\nX-" + "n".repeat(100) + ": v\r\n\r\n"),
        431, "header_fields_too_large");
    onlyError(send("GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + "v".repeat(9000) + "\r\n\r\n"),
        431, "header_fields_too_large");
    onlyError(send("BREW /health HTTP/1.1\r\nHost: x\r\n\r\n"), 501, "not_implemented");
    JsonNode encoding = onlyError(send("POST /indexes/docs/search HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"),
        400, "bad_request");
    assertTrue(encoding.path("message").asText().contains("Transfer-Encoding"), encoding::toString);
    onlyError(send("GET /health HTTP/3.0\r\nHost: x\r\n\r\n"), 505, "http_version_not_supported");
    onlyError(send("POST /indexes/docs/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 999999999999\r\n\r\n"),
        413, "payload_too_large");
  }

  @Test
  void aWrongMethodIsAJson405WithAllow() throws Exception {
    RawHttp.Exchange exchange = send("DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    JsonNode error = onlyError(exchange, 405, "method_not_allowed");
    assertEquals("GET", exchange.responses().get(0).headers().get("allow"), error::toString);
  }
}
