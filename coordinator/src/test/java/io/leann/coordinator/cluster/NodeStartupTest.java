package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeStartup}: the readiness check follows it, and coordinated shutdown started during
 * start-up waits for start-up to settle before anything is closed (the order, not the time).
 */
class NodeStartupTest {

  @Test
  void readinessFollowsStartUp() throws Exception {
    ActorSystem system = ActorSystem.create("node-startup-ready", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    try {
      NodeStartedCheck check = new NodeStartedCheck(system);
      assertFalse(check.get().toCompletableFuture().get(5, TimeUnit.SECONDS));
      NodeStartup.get(system).finished();
      assertTrue(check.get().toCompletableFuture().get(5, TimeUnit.SECONDS));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFailedStartUpIsNeverReadyButLetsShutdownGoOn() throws Exception {
    ActorSystem system = ActorSystem.create("node-startup-failed", ConfigFactory.parseString("pekko.loglevel = WARNING"));
    NodeStartup startup = NodeStartup.get(system);
    startup.failed();
    assertFalse(startup.isStarted());
    assertFalse(new NodeStartedCheck(system).get().toCompletableFuture().get(5, TimeUnit.SECONDS));
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void shutdownDuringStartUpClosesNothingBeforeStartUpSettles() throws Exception {
    ActorSystem system = ActorSystem.create("node-startup-shutdown", ConfigFactory.parseString("""
        pekko.loglevel = WARNING
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        """));
    NodeStartup startup = NodeStartup.get(system);
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    AtomicBoolean startupDoneWhenClosing = new AtomicBoolean();
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-model", () -> {
      startupDoneWhenClosing.set(startup.settled().toCompletableFuture().isDone());
      return CompletableFuture.completedFuture(Done.getInstance());
    });

    CompletableFuture<Done> stopped = shutdown.run(CoordinatedShutdown.unknownReason(), Optional.empty()).toCompletableFuture();
    Thread.sleep(300);
    assertFalse(stopped.isDone(), "shutdown waits while start-up (loading the model) runs");
    startup.finished();
    stopped.get(20, TimeUnit.SECONDS);
    assertTrue(startupDoneWhenClosing.get(), "the model was closed only after it had finished loading");
  }
}
