package io.leann.embed.worker;

import io.leann.embed.Embedder;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Routers;
import org.apache.pekko.pattern.StatusReply;

/**
 * Runs one model call at a time: embeds a batch of texts with the {@link Embedder} and replies with
 * one vector per text. The call blocks, so workers must run on a dispatcher meant for blocking
 * ({@link #pool} puts them on one); a pool of them is the unit of embedding concurrency.
 *
 * <p>A worker checks what the model returns (one vector per text, the declared dimensions, finite
 * values) so a broken model fails the batch with a reason instead of corrupting distances. Failures
 * are replied as errors, never thrown, so a bad batch does not restart the worker.
 */
public final class EmbedWorker {

  public sealed interface Command {}

  /** Embed {@code texts}; the reply holds one vector per text, in order. */
  public record Embed(List<String> texts, ActorRef<StatusReply<float[][]>> replyTo) implements Command {
    public Embed {
      texts = List.copyOf(texts);
    }
  }

  private EmbedWorker() {}

  public static Behavior<Command> create(Embedder embedder) {
    return Behaviors.setup(ctx -> {
      ctx.setLoggerName(EmbedWorker.class);
      return Behaviors.receive(Command.class)
          .onMessage(Embed.class, m -> onEmbed(ctx, embedder, m))
          .build();
    });
  }

  /**
   * A round-robin pool of {@code settings.poolSize()} workers on {@code settings.dispatcher()},
   * restarted if one ever fails outside a model call.
   */
  public static Behavior<Command> pool(Embedder embedder, EmbedSettings settings) {
    return Routers.pool(settings.poolSize(),
            Behaviors.supervise(create(embedder)).onFailure(SupervisorStrategy.restart()))
        .withRouteeProps(DispatcherSelector.fromConfig(settings.dispatcher()));
  }

  private static Behavior<Command> onEmbed(ActorContext<Command> ctx, Embedder embedder, Embed m) {
    try {
      float[][] vectors = embedder.embed(m.texts());
      String problem = check(embedder, m.texts().size(), vectors);
      if (problem != null) {
        m.replyTo().tell(StatusReply.error(problem));
      } else {
        m.replyTo().tell(StatusReply.success(vectors));
      }
    } catch (RuntimeException e) {
      ctx.getLog().warn("embedding {} texts with {} failed", m.texts().size(), embedder.modelId(), e);
      m.replyTo().tell(StatusReply.error(embedder.modelId() + " failed on " + m.texts().size()
          + " texts: " + e.getMessage()));
    }
    return Behaviors.same();
  }

  /** What is wrong with the model's output, or null if nothing is. */
  private static String check(Embedder embedder, int texts, float[][] vectors) {
    if (vectors == null || vectors.length != texts) {
      return embedder.modelId() + " returned " + (vectors == null ? "nothing" : vectors.length + " vectors")
          + " for " + texts + " texts";
    }
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i].length != embedder.dimensions()) {
        return embedder.modelId() + " returned a vector of " + vectors[i].length + " floats for text "
            + i + ", expected " + embedder.dimensions();
      }
      for (float f : vectors[i]) {
        if (!Float.isFinite(f)) {
          return embedder.modelId() + " returned a non-finite value for text " + i;
        }
      }
    }
    return null;
  }
}
