package io.leann.coordinator.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * Whether {@link LeannNode#start} has finished on this actor system: the local model loaded, the
 * embed pool, shards and API started. Two things wait for it. The readiness check
 * ({@link NodeStartedCheck}) says not ready before, so no traffic arrives at a half-started node.
 * Coordinated shutdown waits for it too (the extension adds that task when it is first used, which
 * {@link LeannNode#start} does right after creating the actor system; the phase's timeout bounds
 * the wait), so a SIGTERM during start-up cannot end the JVM while
 * the main thread is inside ONNX Runtime loading the model: native code still running when the
 * process exits crashes it (seen as SIGBUS in {@code OrtSession.createSession}).
 *
 * <p>Thread-safe.
 */
public final class NodeStartup implements Extension {
  private static final Id ID = new Id();

  private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

  private static final class Id extends AbstractExtensionId<NodeStartup> {
    /** The extension, and the first task of coordinated shutdown: wait until start-up settles. */
    @Override
    public NodeStartup createExtension(ExtendedActorSystem system) {
      NodeStartup startup = new NodeStartup();
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
          "leann-await-startup", () -> startup.settled().thenApply(started -> Done.getInstance()));
      return startup;
    }
  }

  public static NodeStartup get(ActorSystem system) {
    return ID.get(system);
  }

  /** The node is fully started. */
  void finished() {
    outcome.complete(true);
  }

  /** Start-up failed; the node will not become ready. */
  void failed() {
    outcome.complete(false);
  }

  /** Whether start-up has finished successfully. */
  public boolean isStarted() {
    return outcome.getNow(false);
  }

  /** Completes when start-up has finished or failed. */
  public CompletionStage<Boolean> settled() {
    return outcome;
  }
}
