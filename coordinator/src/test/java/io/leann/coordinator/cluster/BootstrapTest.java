package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.shard.actor.IndexShards;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster Bootstrap without seed nodes: two nodes on 127.0.0.1 whose Pekko management ports are
 * listed by config-based discovery ({@code pekko.discovery.config.services}), the same bootstrap
 * code path as Kubernetes API discovery minus the API lookup. They must find each other, form one
 * cluster, and answer the probes the manifests use ({@code /ready}, {@code /alive}) and
 * {@code /metrics} on the management port. This also runs pekko-discovery 1.1.5 next to the 1.7.0
 * core, which {@code pekko.fail-mixed-versions = off} allows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootstrapTest {
  private static final String SERVICE = "leann-bootstrap-test";

  @TempDir
  static Path root;

  private final List<LeannNode> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private int[] managementPorts;

  @BeforeAll
  void start() throws IOException {
    managementPorts = new int[] {freePort(), freePort()};
    Config test = ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        pekko.discovery.config.services.%s.endpoints = [
          { host = "127.0.0.1", port = %d },
          { host = "127.0.0.1", port = %d }
        ]
        pekko.management.cluster.bootstrap {
          contact-point-discovery {
            service-name = %s
            discovery-method = config
            required-contact-point-nr = 2
            stable-margin = 1s
            interval = 200ms
          }
          # Both nodes are on 127.0.0.1 with different management ports; by default contact points
          # on another port than this node's own are dropped (Kubernetes lists every container port).
          contact-point.filter-on-fallback-port = false
          contact-point.probe-interval = 200ms
        }
        """.formatted(SERVICE, managementPorts[0], managementPorts[1], SERVICE)).withFallback(ConfigFactory.load());
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", root.toString());
    for (int port : managementPorts) {
      Config config = LeannNode.withManagement(LeannNode.config("127.0.0.1", 0, Set.of(IndexShards.ROLE), test),
          "127.0.0.1", port, true);
      nodes.add(LeannNode.start(config, List.of(), env, () -> {
        throw new AssertionError("no embed role here");
      }, "tcp://127.0.0.1:0"));
    }
  }

  @AfterAll
  void stop() {
    for (LeannNode n : nodes) {
      n.stop().toCompletableFuture().join();
      n.system().getWhenTerminated().toCompletableFuture().join();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void nodesFindEachOtherWithoutSeedsAndAnswerTheProbes() throws Exception {
    ActorTestKit testKit = ActorTestKit.create(nodes.get(0).system());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(40), Duration.ofMillis(250), () -> {
      for (LeannNode n : nodes) {
        long up = StreamSupport.stream(Cluster.get(n.system()).state().getMembers().spliterator(), false)
            .filter(m -> m.status().equals(MemberStatus.up())).count();
        assertEquals(2, up, "members Up as seen by " + n.address());
      }
      return null;
    });
    for (int port : managementPorts) {
      for (String probe : List.of("/ready", "/alive")) {
        HttpResponse<String> r = get(port, probe);
        assertEquals(200, r.statusCode(), probe + " on " + port + ": " + r.body());
      }
      HttpResponse<String> metrics = get(port, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("jvm_threads_live_threads"), metrics.body());
    }
  }

  @Test
  void seedsAndBootstrapExcludeEachOther() {
    Config config = LeannNode.withManagement(LeannNode.config("127.0.0.1", 0, Set.of(IndexShards.ROLE),
        ConfigFactory.load()), "127.0.0.1", 0, true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LeannNode.start(config,
        List.of(new Address("pekko", LeannNode.SYSTEM_NAME, "127.0.0.1", 1)), Map.of("LEANN_INDEX_DIR",
            root.toString()), () -> null, "tcp://127.0.0.1:0"));
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
