package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The web page as {@code leann serve} answers it: the whole {@link HttpServer} on a loopback port,
 * requests by {@link HttpClient} and, for paths a client library might tidy up, raw bytes over a
 * socket. Checks the redirect, content types, security and cache headers, 304 revalidation, that
 * the page runs under its own Content-Security-Policy (no inline script, style or handler), and
 * that no path outside the fixed file list, encoded or not, reaches another classpath resource.
 */
class WebRoutesTest {
  private static final Map<String, String> TYPES = Map.of(
      "index.html", "text/html; charset=UTF-8",
      "app.js", "text/javascript; charset=UTF-8",
      "style.css", "text/css; charset=UTF-8",
      "favicon.svg", "image/svg+xml");

  @TempDir static Path root;
  static LoopbackApi api;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    api = LoopbackApi.start(root,
        (system, service) -> HttpServer.start(system, service, "127.0.0.1", 0, HttpSettings.defaults()));
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void rootAndBareUiRedirectToThePage() throws Exception {
    for (String path : new String[] {"/", "/ui"}) {
      HttpResponse<String> r = get(path, Map.of());
      assertEquals(302, r.statusCode(), path);
      assertEquals("/ui/", r.headers().firstValue("Location").orElse(null), path);
    }
  }

  @Test
  void servesEveryFileWithItsTypeAndTheSecurityHeaders() throws Exception {
    assertEquals(TYPES.keySet(), WebRoutes.FILES.keySet());
    for (Map.Entry<String, String> file : TYPES.entrySet()) {
      HttpResponse<byte[]> r = client.send(request("/ui/" + file.getKey(), Map.of()), BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode(), file.getKey());
      assertEquals(file.getValue(), r.headers().firstValue("Content-Type").orElse(null), file.getKey());
      assertArrayEquals(resource(file.getKey()), r.body(), file.getKey());
      assertSecurityHeaders(r, file.getKey());
    }
  }

  @Test
  void theFolderIsTheHtmlPage() throws Exception {
    HttpResponse<String> r = get("/ui/", Map.of());
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=UTF-8", r.headers().firstValue("Content-Type").orElse(null));
    assertEquals(new String(resource("index.html"), StandardCharsets.UTF_8), r.body());
    assertSecurityHeaders(r, "/ui/");
  }

  @Test
  void anUnchangedFileIsNotSentAgain() throws Exception {
    HttpResponse<String> first = get("/ui/app.js", Map.of());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = get("/ui/app.js", Map.of("If-None-Match", etag));
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());
    HttpResponse<String> other = get("/ui/app.js", Map.of("If-None-Match", "\"not-the-tag\""));
    assertEquals(200, other.statusCode());
  }

  /** The policy forbids inline code; a page that had some would be broken, not just unsafe. */
  @Test
  void thePageRunsUnderItsPolicy() throws Exception {
    String html = new String(resource("index.html"), StandardCharsets.UTF_8);
    Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
    int count = 0;
    while (scripts.find()) {
      count++;
      assertTrue(scripts.group(1).contains("src=\"/ui/"), "a script without a same-origin src: " + scripts.group());
      assertEquals("", scripts.group(2).strip(), "inline script: " + scripts.group());
    }
    assertEquals(1, count);
    assertFalse(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline handler");
    assertFalse(Pattern.compile("\\sstyle\\s*=|<style", Pattern.CASE_INSENSITIVE).matcher(html).find(), "inline style");
    assertFalse(html.contains("http://") || html.contains("https://"), "the page loads nothing from elsewhere");
    String js = new String(resource("app.js"), StandardCharsets.UTF_8);
    assertFalse(js.contains("innerHTML") || js.contains("outerHTML") || js.contains("insertAdjacentHTML")
        || js.contains("document.write") || js.contains("eval("), "server text must reach the page as text only");
  }

  /** Sent as raw bytes: java.net.http and most clients would tidy these paths before sending them. */
  @ParameterizedTest
  @ValueSource(strings = {
      "/ui/../application.conf",
      "/ui/%2e%2e/application.conf",
      "/ui/%2E%2E/application.conf",
      "/ui/..%2fapplication.conf",
      "/ui/%2e%2e%2fapplication.conf",
      "/ui/..%5capplication.conf",
      "/ui/..\\application.conf",
      "/ui/%252e%252e%252fapplication.conf",
      "/ui/./../application.conf",
      "/ui/web/../../application.conf",
      "/ui/application.conf",
      "/ui/logback.xml",
      "/ui//web/app.js",
      "/ui/app.js/",
      "/ui/app.js%00.html",
      "/ui/APP.JS",
      "/web/app.js",
      "/ui/io/leann/coordinator/http/WebRoutes.class"})
  void nothingOutsideTheFileListIsServed(String path) throws Exception {
    String response = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    String status = response.substring(0, response.indexOf("\r\n"));
    assertTrue(status.startsWith("HTTP/1.1 404") || status.startsWith("HTTP/1.1 400"), path + " answered " + status);
    assertFalse(response.contains("pekko {") || response.contains("<configuration")
        || response.contains("java/lang/Object"),
        path + " leaked a resource: " + response);
    if (status.startsWith("HTTP/1.1 404")) {
      assertTrue(response.contains("\"code\":\"not_found\""), path + ": not the API's JSON 404: " + response);
    }
  }

  @Test
  void onlyGetIsAnswered() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(api.base() + "/ui/app.js"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
        BodyHandlers.ofString());
    assertEquals(405, r.statusCode());
    assertEquals("GET", r.headers().firstValue("Allow").orElse(null));
  }

  /** The page does not shadow the API: its JSON 404 for unknown paths and its routes stay as they were. */
  @Test
  void theApiIsUntouched() throws Exception {
    HttpResponse<String> health = get("/health", Map.of());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"status\":\"ok\""), health.body());
    HttpResponse<String> unknown = client.send(HttpRequest.newBuilder(URI.create(api.base() + "/nowhere"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
        BodyHandlers.ofString());
    assertEquals(404, unknown.statusCode());
  }

  private static void assertSecurityHeaders(HttpResponse<?> r, String what) {
    assertEquals(WebRoutes.CONTENT_SECURITY_POLICY, r.headers().firstValue("Content-Security-Policy").orElse(null), what);
    assertTrue(WebRoutes.CONTENT_SECURITY_POLICY.startsWith("default-src 'self';"));
    assertFalse(WebRoutes.CONTENT_SECURITY_POLICY.contains("unsafe"));
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), what);
    assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), what);
    assertEquals("no-cache", r.headers().firstValue("Cache-Control").orElse(null), what);
    assertNotNull(r.headers().firstValue("ETag").orElse(null), what);
  }

  private static HttpRequest request(String path, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(10));
    headers.forEach(b::header);
    return b.GET().build();
  }

  private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    return client.send(request(path, headers), BodyHandlers.ofString());
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = WebRoutes.class.getResourceAsStream("/web/" + name)) {
      assertNotNull(in, "web/" + name + " is not on the classpath");
      return in.readAllBytes();
    }
  }

  private static String raw(String request) throws Exception {
    URI base = URI.create(api.base());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
