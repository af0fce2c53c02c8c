package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Access control end to end, on two servers over one real index, both bound on 127.0.0.1: a keyed
 * one (read, write and admin keys, one allowed CORS origin) and an open one (no keys, CORS off, as a
 * developer runs it). For every route and scope: no key and a wrong key are 401, a key one scope too
 * low is 403 and changes nothing, the right key (in either header) gets the route's own answer. Also
 * the 415 for bodies that are not JSON, the browser "simple request" that must not write, CORS off
 * and with an allow-list, and the secure-by-default rule for the bind address.
 */
class AccessControlTest {
  private static final String READ_KEY = "read-key-7c1f0e";
  private static final String WRITE_KEY = "write-key-92ab44";
  private static final String ADMIN_KEY = "admin-key-d03e5a";
  private static final String APP = "https://app.example.com";
  private static final String EVIL = "http://evil.example";

  @TempDir static Path root;
  static LoopbackApi api;
  static ActorSystem<Void> system;
  static ServerBinding open;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    HttpSettings keyed = HttpSettings.defaults().withCorsOrigins(List.of(APP + "/")).withKeys(ApiKeys.none()
        .with(Scope.READ, READ_KEY).with(Scope.WRITE, WRITE_KEY).with(Scope.ADMIN, ADMIN_KEY));
    api = LoopbackApi.start(root, (sys, service) -> {
      system = sys;
      return HttpServer.start(sys, service, "127.0.0.1", 0, HttpSettings.defaults()).thenCompose(b -> {
        open = b;
        return HttpServer.start(sys, service, "127.0.0.1", 0, keyed);
      });
    });
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (open != null) {
      open.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (api != null) {
      api.close();
    }
  }

  /** A route, the scope it needs, and its status for a caller with that scope. */
  record Call(Scope scope, String method, String path, String body, int allowed) {
    @Override
    public String toString() {
      return scope.label() + " " + method + " " + path;
    }
  }

  static Stream<Call> routes() {
    String chat = "{\"question\": \"what do cats do?\"}";
    return Stream.of(
        new Call(Scope.READ, "GET", "/indexes", null, 200),
        new Call(Scope.READ, "GET", "/indexes/docs", null, 200),
        new Call(Scope.READ, "POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": 1}", 200),
        new Call(Scope.READ, "POST", "/indexes/docs/chat", chat, -1),
        new Call(Scope.READ, "POST", "/indexes/docs/react", chat, -1),
        new Call(Scope.READ, "POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", 200),
        new Call(Scope.READ, "GET", "/metrics", null, 200),
        new Call(Scope.WRITE, "PUT", "/indexes/made-by-writer", "{\"shards\": 1}", 201),
        new Call(Scope.WRITE, "DELETE", "/indexes/made-by-writer", null, 200),
        new Call(Scope.WRITE, "POST", "/indexes/docs/documents", "[{\"text\": \"injected\"}]", 409),
        new Call(Scope.WRITE, "POST", "/indexes/docs/documents/delete",
            "{\"metadata_filters\": {\"file_name\": {\"==\": \"cats.txt\"}}}", 409),
        new Call(Scope.WRITE, "GET", "/jobs/job-0-0", null, 404),
        new Call(Scope.ADMIN, "GET", "/admin/nodes", null, 200),
        new Call(Scope.ADMIN, "GET", "/admin/shards", null, 200),
        new Call(Scope.ADMIN, "PUT", "/admin/indexes/docs/shards/1", "{\"node\": \"pekko://leann@127.0.0.1:2552\"}", 400),
        new Call(Scope.ADMIN, "POST", "/admin/indexes/docs/rebalance", null, 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("routes")
  void everyRouteChecksItsScope(Call call) throws Exception {
    Reply none = send(keyed(), call, Map.of());
    assertError(none, 401, "unauthorized", "the " + call.scope().label() + " scope");
    assertEquals("Bearer realm=\"leann\"", none.header("WWW-Authenticate"));

    Reply wrong = send(keyed(), call, Map.of("Authorization", "Bearer " + WRITE_KEY + "x"));
    assertError(wrong, 401, "unauthorized", "not valid");
    assertTrue(wrong.header("WWW-Authenticate").contains("error=\"invalid_token\""));
    assertFalse(wrong.body().contains(WRITE_KEY), "a presented key is never echoed");

    Reply notBearer = send(keyed(), call, Map.of("Authorization", "Basic " + READ_KEY));
    assertError(notBearer, 401, "unauthorized", "Bearer <key>");

    if (call.scope() != Scope.READ) {
      Scope below = Scope.values()[call.scope().ordinal() - 1];
      Reply low = send(keyed(), call, Map.of("Authorization", "Bearer " + key(below)));
      assertError(low, 403, "forbidden", "has the " + below.label() + " scope; this route needs " + call.scope().label());
      assertTrue(low.header("WWW-Authenticate").contains("insufficient_scope"));
    }

    allowed(call, Map.of("Authorization", "Bearer " + key(call.scope())));
    allowed(call, Map.of("api-key", key(call.scope())));
    if (call.scope() != Scope.ADMIN) {
      allowed(call, Map.of("Authorization", "bearer  " + ADMIN_KEY));
    }
  }

  /**
   * Sends {@code call} with {@code headers} and expects the route's own answer. Index creation and
   * deletion are undone or prepared around it, so every try finds the same state.
   */
  private static void allowed(Call call, Map<String, String> headers) throws Exception {
    Map<String, String> writer = Map.of("Authorization", "Bearer " + WRITE_KEY);
    if (call.method().equals("DELETE")) {
      assertEquals(201, send(keyed(), new Call(Scope.WRITE, "PUT", call.path(), null, 201), writer).status());
    }
    Reply r = send(keyed(), call, headers);
    if (call.allowed() > 0) {
      assertEquals(call.allowed(), r.status(), call + ": " + r.body());
    } else {
      assertFalse(List.of(401, 403, 415).contains(r.status()), call + ": " + r.status() + " " + r.body());
    }
    if (call.method().equals("PUT") && call.allowed() == 201) {
      assertEquals(200, send(keyed(), new Call(Scope.WRITE, "DELETE", call.path(), null, 200), writer).status());
    }
  }

  @Test
  void refusedWritesChangeNothing() throws Exception {
    Map<String, String> reader = Map.of("Authorization", "Bearer " + READ_KEY);
    assertEquals(403, send(keyed(), new Call(Scope.WRITE, "DELETE", "/indexes/docs", null, 200), reader).status());
    assertEquals(401, send(keyed(), new Call(Scope.WRITE, "DELETE", "/indexes/docs", null, 200), Map.of()).status());
    assertEquals(403, send(keyed(), new Call(Scope.WRITE, "PUT", "/indexes/never", null, 201), reader).status());
    Reply docs = send(keyed(), new Call(Scope.READ, "GET", "/indexes/docs", null, 200), reader);
    assertEquals(200, docs.status(), docs.body());
    assertEquals("ready", docs.json().path("status").asText());
    assertEquals(404, send(keyed(), new Call(Scope.READ, "GET", "/indexes/never", null, 404), reader).status());
  }

  @Test
  void healthStaysOpen() throws Exception {
    assertEquals(200, send(keyed(), new Call(Scope.READ, "GET", "/health", null, 200), Map.of()).status());
  }

  @Test
  void withoutKeysEveryRouteIsOpen() throws Exception {
    Reply created = send(openBase(), new Call(Scope.WRITE, "PUT", "/indexes/open-one", null, 201), Map.of());
    assertEquals(201, created.status(), created.body());
    assertEquals(200, send(openBase(), new Call(Scope.WRITE, "DELETE", "/indexes/open-one", null, 200),
        Map.of()).status());
    assertEquals(200, send(openBase(), new Call(Scope.ADMIN, "GET", "/admin/nodes", null, 200), Map.of()).status());
  }

  // ---- 415 and browsers ----

  @Test
  void bodiesMustBeJson() throws Exception {
    Map<String, String> writer = Map.of("Authorization", "Bearer " + WRITE_KEY);
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
      assertError(raw(keyed(), "POST", "/indexes/docs/search", "{\"query\": \"cats\"}", type, writer),
          415, "unsupported_media_type", "application/json");
    }
    assertError(raw(keyed(), "POST", "/indexes/docs/search", "{\"query\": \"cats\"}", null, writer),
        415, "unsupported_media_type", "application/octet-stream");
    assertError(raw(openBase(), "PUT", "/indexes/typed", "{\"shards\": 1}", "text/plain", Map.of()),
        415, "unsupported_media_type", "text/plain");
    assertEquals(404, raw(openBase(), "GET", "/indexes/typed", null, null, Map.of()).status(), "the 415 created nothing");

    Reply charset = raw(keyed(), "POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": 1}",
        "application/json; charset=utf-8", writer);
    assertEquals(200, charset.status(), charset.body());
    // An empty body needs no type: curl -X PUT, curl -X DELETE.
    assertEquals(201, raw(openBase(), "PUT", "/indexes/untyped", null, null, Map.of()).status());
    assertEquals(200, raw(openBase(), "DELETE", "/indexes/untyped", null, null, Map.of()).status());
  }

  @Test
  void aCrossOriginSimpleRequestCannotWrite() throws Exception {
    // What a page on evil.example can make a visitor's browser send without a preflight.
    String docs = "[{\"text\": \"injected by a web page\"}]";
    Map<String, String> origin = Map.of("Origin", EVIL);
    for (String base : List.of(openBase(), keyed())) {
      Reply put = raw(base, "PUT", "/indexes/planted", "{}", "text/plain", origin);
      assertError(put, 415, "unsupported_media_type", "text/plain");
      assertEquals(null, put.header("Access-Control-Allow-Origin"));
      Reply ingest = raw(base, "POST", "/indexes/docs/documents", docs, "text/plain;charset=UTF-8", origin);
      assertError(ingest, 415, "unsupported_media_type", "text/plain");
    }
    assertEquals(404, raw(openBase(), "GET", "/indexes/planted", null, null, Map.of()).status());
    // With the right type the browser must preflight, and the keyed server also wants a key.
    assertError(raw(keyed(), "PUT", "/indexes/planted", "{}", "application/json", origin), 401, "unauthorized", "write");
  }

  @Test
  void corsIsOffByDefault() throws Exception {
    Reply preflight = raw(openBase(), "OPTIONS", "/indexes/docs/search", null, null,
        Map.of("Origin", APP, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type"));
    assertEquals(405, preflight.status(), preflight.body());
    assertNoCors(preflight);
    Reply get = raw(openBase(), "GET", "/indexes", null, null, Map.of("Origin", APP));
    assertEquals(200, get.status());
    assertNoCors(get);
  }

  @Test
  void corsAnswersListedOriginsOnly() throws Exception {
    Reply preflight = raw(keyed(), "OPTIONS", "/indexes/docs/documents", null, null,
        Map.of("Origin", APP, "Access-Control-Request-Method", "POST",
            "Access-Control-Request-Headers", "authorization, content-type"));
    assertEquals(204, preflight.status(), preflight.body());
    assertEquals(APP, preflight.header("Access-Control-Allow-Origin"));
    assertTrue(preflight.header("Access-Control-Allow-Methods").contains("POST"));
    assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Authorization"));
    assertTrue(preflight.header("Access-Control-Allow-Headers").contains("api-key"));
    assertEquals(null, preflight.header("Access-Control-Allow-Credentials"));

    Reply search = raw(keyed(), "POST", "/indexes/docs/search", "{\"query\": \"cats\", \"top_k\": 1}",
        "application/json", Map.of("Origin", APP, "api-key", READ_KEY));
    assertEquals(200, search.status(), search.body());
    assertEquals(APP, search.header("Access-Control-Allow-Origin"));
    assertTrue(search.header("Vary").contains("Origin"));
    Reply refused = raw(keyed(), "GET", "/indexes", null, null, Map.of("Origin", APP));
    assertEquals(401, refused.status());
    assertEquals(APP, refused.header("Access-Control-Allow-Origin"), "a listed page can read why it was refused");

    Reply evilPreflight = raw(keyed(), "OPTIONS", "/indexes/docs/documents", null, null,
        Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST"));
    assertEquals(405, evilPreflight.status());
    assertNoCors(evilPreflight);
    Reply evilGet = raw(keyed(), "GET", "/health", null, null, Map.of("Origin", EVIL));
    assertEquals(200, evilGet.status());
    assertNoCors(evilGet);
  }

  @Test
  void corsOriginsMustBeOrigins() {
    assertEquals(List.of("https://a.example:8443", "http://localhost:3000"),
        Cors.validated(List.of(" HTTPS://a.example:8443/ ", "http://localhost:3000", "")));
    for (String bad : List.of("*", "null", "a.example", "https://a.example/app", "ftp://a.example")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cors.validated(List.of(bad)));
      assertTrue(e.getMessage().contains("http(s)://host[:port]"), e.getMessage());
    }
  }

  // ---- secure by default ----

  @Test
  void aNonLoopbackBindNeedsWriteAndAdminKeysOrInsecure() {
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> AccessControl.checkExposure("0.0.0.0", HttpSettings.defaults()));
    assertTrue(refused.getMessage().contains("without a write key and an admin key"), refused.getMessage());
    assertTrue(refused.getMessage().contains("--insecure"), refused.getMessage());
    HttpSettings adminOnly = HttpSettings.defaults().withKeys(ApiKeys.none().with(Scope.ADMIN, ADMIN_KEY));
    IllegalStateException noWriter = assertThrows(IllegalStateException.class,
        () -> AccessControl.checkExposure("0.0.0.0", adminOnly));
    assertTrue(noWriter.getMessage().contains("without a write key"), noWriter.getMessage());
    assertFalse(noWriter.getMessage().contains(ADMIN_KEY));

    String warning = AccessControl.checkExposure("0.0.0.0", HttpSettings.defaults().withInsecure(true)).orElseThrow();
    assertTrue(warning.startsWith("INSECURE (--insecure)"), warning);
    HttpSettings protectedApi = HttpSettings.defaults()
        .withKeys(ApiKeys.none().with(Scope.WRITE, WRITE_KEY).with(Scope.ADMIN, ADMIN_KEY));
    assertTrue(AccessControl.checkExposure("0.0.0.0", protectedApi).isEmpty());
    assertTrue(AccessControl.checkExposure("::", protectedApi).isEmpty());

    for (String loopback : List.of("127.0.0.1", "localhost", "::1")) {
      String open = AccessControl.checkExposure(loopback, HttpSettings.defaults()).orElseThrow();
      assertTrue(open.contains("no API keys"), open);
    }
    assertTrue(AccessControl.checkExposure("127.0.0.1", adminOnly).isEmpty());
  }

  @Test
  void theServerRefusesToBindAnExposedOpenApi() {
    CompletionException e = assertThrows(CompletionException.class, () -> HttpServer.start(system,
        api.service(), "0.0.0.0", 0, HttpSettings.defaults()).toCompletableFuture().join());
    assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
    assertTrue(e.getCause().getMessage().contains("0.0.0.0"), e.getCause().getMessage());
  }

  // ---- helpers ----

  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws Exception {
      return Json.mapper().readTree(body);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private static String key(Scope scope) {
    return switch (scope) {
      case READ -> READ_KEY;
      case WRITE -> WRITE_KEY;
      case ADMIN -> ADMIN_KEY;
    };
  }

  private static String keyed() {
    return api.base();
  }

  private static String openBase() {
    return "http://127.0.0.1:" + open.localAddress().getPort();
  }

  private static void assertNoCors(Reply r) {
    r.raw().headers().map().keySet().forEach(h ->
        assertFalse(h.toLowerCase().startsWith("access-control-"), "unexpected " + h + " in " + r.raw().headers()));
  }

  private static void assertError(Reply r, int status, String code, String messagePart) throws Exception {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.header("Content-Type").startsWith("application/json"), r.raw().headers().toString());
    assertEquals(code, r.json().path("error").path("code").asText(), r.body());
    assertTrue(r.json().path("error").path("message").asText().contains(messagePart),
        "expected '" + messagePart + "' in " + r.body());
  }

  private static Reply send(String base, Call call, Map<String, String> headers) throws Exception {
    return raw(base, call.method(), call.path(), call.body(), call.body() == null ? null : "application/json", headers);
  }

  private static Reply raw(String base, String method, String path, String body, String contentType,
      Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    Map<String, String> all = new LinkedHashMap<>(headers);
    if (contentType != null) {
      all.put("Content-Type", contentType);
    }
    all.forEach(b::header);
    HttpResponse<String> response = client.send(b.build(), BodyHandlers.ofString());
    return new Reply(response.statusCode(), response.body(), response);
  }
}
