package io.leann.coordinator.http;

import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.local.SmallIndex;
import io.leann.coordinator.rag.ChatModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The fixture of the HTTP route tests: index {@code docs} ({@link SmallIndex}) built under a
 * directory, a {@link LocalLeannService} over it, and the API bound on 127.0.0.1 at a free port in
 * an actor system with the reference configuration only (the application.conf of
 * {@code leann serve} configures a cluster node). Closing it unbinds, stops the system and closes
 * the service, whatever failed before.
 */
public final class LoopbackApi implements AutoCloseable {
  /** How the API is bound: the whole HTTP server, or a route tree. */
  @FunctionalInterface
  public interface Binder {
    CompletionStage<ServerBinding> bind(ActorSystem<Void> system, LocalLeannService service);
  }

  private final LocalLeannService service;
  private final ActorSystem<Void> system;
  private ServerBinding binding;

  private LoopbackApi(LocalLeannService service, ActorSystem<Void> system) {
    this.service = service;
    this.system = system;
  }

  /** Builds the index under {@code root} and binds what {@code binder} makes of the service. */
  public static LoopbackApi start(Path root, Binder binder) throws Exception {
    SmallIndex.build(root, "docs");
    LoopbackApi api = new LoopbackApi(new LocalLeannService(Map.of("LEANN_INDEX_DIR", root.toString())),
        ActorSystem.create(Behaviors.empty(), "leann-loopback-api",
            ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.defaultReference())));
    try {
      api.binding = binder.bind(api.system, api.service).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      api.close();
      throw e;
    }
    return api;
  }

  /** The API's routes with chat and the agent answered by {@code models}, heartbeats every 100 ms. */
  public static Binder withChat(ChatModels models) {
    return (system, service) -> Http.get(system).newServerAt("127.0.0.1", 0).bind(new LeannRoutes(service,
        HttpSettings.defaults(), new ChatRoutes(service, models, Duration.ofMillis(100))).route());
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String base() {
    return "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  public LocalLeannService service() {
    return service;
  }

  @Override
  public void close() throws Exception {
    try {
      if (binding != null) {
        binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      service.close();
    }
  }
}
