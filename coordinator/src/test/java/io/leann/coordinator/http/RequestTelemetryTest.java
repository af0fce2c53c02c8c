package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The metrics' route labels stay a fixed set whatever clients send; request ids are checked. */
class RequestTelemetryTest {

  @Test
  void routesNameTheirVariableSegments() {
    assertEquals("/health", RequestTelemetry.route("/health"));
    assertEquals("/metrics", RequestTelemetry.route("/metrics/"));
    assertEquals("/indexes", RequestTelemetry.route("/indexes"));
    assertEquals("/indexes/{name}", RequestTelemetry.route("/indexes/my-docs"));
    assertEquals("/indexes/{name}/search", RequestTelemetry.route("/indexes/my-docs/search"));
    assertEquals("/indexes/{name}/chat", RequestTelemetry.route("//indexes/x/chat"));
    assertEquals("/indexes/{name}/documents", RequestTelemetry.route("/indexes/x/documents"));
    assertEquals("/jobs/{id}", RequestTelemetry.route("/jobs/3f2a"));
    assertEquals("/admin/nodes", RequestTelemetry.route("/admin/nodes"));
    assertEquals("/admin/indexes/{name}/shards/{k}", RequestTelemetry.route("/admin/indexes/x/shards/3"));
    assertEquals("/admin/indexes/{name}/rebalance", RequestTelemetry.route("/admin/indexes/x/rebalance"));
    assertEquals("/admin/indexes/{name}/replicas", RequestTelemetry.route("/admin/indexes/x/replicas"));
    assertEquals("/admin/cluster", RequestTelemetry.route("/admin/cluster"));
    assertEquals("/", RequestTelemetry.route("/"));
    for (String unknown : new String[] {"/indexes/x/drop", "/wp-admin/setup.php", "/admin/secrets", "/a/b/c/d/e/f",
        "/jobs/1/2"}) {
      assertEquals("other", RequestTelemetry.route(unknown), unknown);
    }
  }

  @Test
  void saneIdsAreKeptOthersReplaced() {
    assertEquals("req-1.a:b/c+d=e_f", RequestTelemetry.requestId(Optional.of(" req-1.a:b/c+d=e_f ")));
    for (String bad : new String[] {"", "two words", "x".repeat(129), "id\"}", "ünïcode"}) {
      String id = RequestTelemetry.requestId(Optional.of(bad));
      assertNotEquals(bad, id);
      assertTrue(id.matches("[0-9a-f-]{36}"), id);
    }
    assertTrue(RequestTelemetry.requestId(Optional.empty()).matches("[0-9a-f-]{36}"));
  }

  @Test
  void loggedPathsAreCutAndPrintable() {
    assertEquals("/indexes/docs/search", RequestTelemetry.loggedPath("/indexes/docs/search"));
    assertEquals("/indexes/a?b?c", RequestTelemetry.loggedPath("/indexes/a\nb c"));
    assertEquals("/" + "x".repeat(199) + "...", RequestTelemetry.loggedPath("/" + "x".repeat(500)));
  }
}
