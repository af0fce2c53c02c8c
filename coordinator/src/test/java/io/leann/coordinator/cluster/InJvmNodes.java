package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.embed.onnx.OnnxEmbedder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Cluster nodes in the test's JVM on 127.0.0.1 (ephemeral Artery and ZMQ ports), embedding with the
 * shipped all-MiniLM-L6-v2 and never falling back to a coordinator-local model, so ingest goes
 * through the embed pool.
 */
final class InJvmNodes {
  private static final Config NODE = ConfigFactory.parseString("""
      pekko.loglevel = WARNING
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      leann.coordinator.local-embed-fallback = off
      leann.embed.pool-size = 1
      """).withFallback(ConfigFactory.load());

  private InJvmNodes() {}

  static LeannNode start(Set<String> roles, List<Address> seeds, Map<String, String> env) {
    return LeannNode.start(LeannNode.config("127.0.0.1", 0, roles, NODE), seeds, env, OnnxEmbedder::create,
        "tcp://127.0.0.1:0");
  }

  /** Waits up to 30 s until {@code node} sees {@code members} members up. */
  static void awaitMembers(LeannNode node, int members) {
    ActorTestKit kit = ActorTestKit.create(node.system());
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
      long up = StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
          .filter(m -> m.status().equals(MemberStatus.up())).count();
      assertEquals(members, up);
      return null;
    });
  }

  /** Terminates {@code node} and waits until it has. */
  static void stop(LeannNode node) {
    node.system().terminate();
    node.system().getWhenTerminated().toCompletableFuture().join();
  }
}
