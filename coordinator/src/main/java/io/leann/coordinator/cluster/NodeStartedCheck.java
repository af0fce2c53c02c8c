package io.leann.coordinator.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * A pekko-management readiness check ({@code pekko.management.health-checks.readiness-checks}):
 * ready only once {@link LeannNode#start} has finished ({@link NodeStartup}), so {@code /ready}
 * does not send traffic to a node that is still loading its model.
 */
public final class NodeStartedCheck implements Supplier<CompletionStage<Boolean>> {
  private final NodeStartup startup;

  /** Called by pekko-management with the node's actor system. */
  public NodeStartedCheck(ActorSystem system) {
    this.startup = NodeStartup.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(startup.isStarted());
  }
}
