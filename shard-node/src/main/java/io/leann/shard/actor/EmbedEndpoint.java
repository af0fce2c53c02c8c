package io.leann.shard.actor;

import io.leann.protocol.RequestIds;
import io.leann.protocol.cluster.CborSerializable;
import io.leann.protocol.cluster.EmbedWorkerInfo;
import io.leann.protocol.cluster.Vectors;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster face of an embed node: registered with the Receptionist under {@link #SERVICE_KEY},
 * it tells shard nodes where the node's ZMQ recompute server listens and which model it runs
 * ({@link Describe}), and embeds texts for coordinators ({@link Embed}: query vectors and ingest
 * batches) through the node's embed pool.
 *
 * <p>Why here and not in embed-worker: shard nodes must name this protocol to discover workers,
 * and shard-node and embed-worker never depend on each other. The embedding itself stays on the
 * embed side, passed in as a function (the pool's {@code EmbedClient}).
 *
 * <p>Stateless: embeddings are answered from the pool's completion thread, so slow batches never
 * hold up {@link Describe}. Receptionist entries of a node that leaves the cluster, or becomes
 * unreachable, disappear from listings, which is how clients drop a dead worker.
 */
public final class EmbedEndpoint {

  /** Embed nodes register here; shard and coordinator nodes subscribe. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "leann-embed-endpoint");

  public sealed interface Command extends CborSerializable permits Describe, Embed {}

  /** Asks for the node's recompute endpoint and model. */
  public record Describe(ActorRef<EmbedWorkerInfo> replyTo) implements Command {}

  /**
   * Embeds {@code texts}; the reply holds one vector per text, in order, or the failure.
   *
   * @param requestId the id of the API request this serves, for this node's log lines; or null
   */
  public record Embed(List<String> texts, String requestId, ActorRef<StatusReply<Vectors>> replyTo)
      implements Command {
    public Embed {
      texts = List.copyOf(texts);
    }
  }

  /** For the pool's completion threads, which must not touch the actor context. */
  private static final Logger LOG = LoggerFactory.getLogger(EmbedEndpoint.class);
  /** The access log every hop of a request writes to. */
  private static final Logger ACCESS = LoggerFactory.getLogger("leann.access");

  private EmbedEndpoint() {}

  /**
   * @param info the endpoint and model this node serves
   * @param embedder the node's embed pool; its stages complete on the pool's threads
   */
  public static Behavior<Command> create(EmbedWorkerInfo info,
      Function<List<String>, CompletionStage<float[][]>> embedder) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
      ctx.getLog().info("embed endpoint {} serving {} ({} dimensions)", info.endpoint(), info.model(),
          info.dimensions());
      return Behaviors.receive(Command.class)
          .onMessage(Describe.class, m -> {
            m.replyTo().tell(info);
            return Behaviors.same();
          })
          .onMessage(Embed.class, m -> {
            long start = System.nanoTime();
            embedder.apply(m.texts()).whenComplete((vectors, failure) -> RequestIds.run(m.requestId(), () -> {
              if (failure == null) {
                ACCESS.info("embedded {} texts in {} ms id={}", m.texts().size(), (System.nanoTime() - start) / 1_000_000,
                    m.requestId());
                m.replyTo().tell(StatusReply.success(new Vectors(vectors)));
              } else {
                String message = info.model() + " on " + info.endpoint() + " could not embed "
                    + m.texts().size() + " texts: " + failure.getMessage();
                LOG.warn(message);
                m.replyTo().tell(StatusReply.error(message));
              }
            }));
            return Behaviors.same();
          })
          .build();
    });
  }
}
