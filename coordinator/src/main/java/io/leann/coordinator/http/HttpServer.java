package io.leann.coordinator.http;

import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.observability.NodeMetrics;
import io.leann.protocol.api.LeannService;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;

/**
 * Binds {@link LeannRoutes} on a host and port of an actor system, with {@code GET /metrics} (the
 * node's {@link NodeMetrics}, read scope) among them and {@link RequestTelemetry} (request ids,
 * HTTP metrics) around them.
 *
 * <p>Before binding, {@link AccessControl#checkExposure} applies the secure-by-default rule: a
 * non-loopback address without write and admin keys fails the returned stage (unless
 * {@link HttpSettings#insecure()}); an open API is logged as a warning once the port is bound.
 *
 * <p>The server's own {@code max-content-length} is raised (or lowered) to
 * {@link HttpSettings#maxBodyBytes()}, so the route's size limit is the only one in force and an
 * oversized body is always answered by the API's JSON 413, never by the server's plain-text one.
 * Requests the engine cannot parse get the API's JSON errors too ({@link JsonParsingErrorHandler},
 * set through the configuration since {@code ServerSettings.withParsingErrorHandler} of the Java
 * API drops its argument), and {@link HeaderGuard} turns away, as a whole, requests whose headers
 * the parser misread.
 * The binding joins coordinated shutdown: on SIGTERM it stops accepting connections and gives
 * requests in flight 10 seconds to finish before the actor system goes down.
 */
public final class HttpServer {
  private static final Duration DRAIN = Duration.ofSeconds(10);

  private HttpServer() {}

  /**
   * Starts serving the API.
   *
   * @param host interface to bind, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
   * @param port port, or 0 for any free one (read it from {@code binding.localAddress()})
   * @return the binding, failed if the port is taken or {@code host} is exposed without keys
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, LeannService service, String host,
      int port, HttpSettings settings) {
    ServerSettings server = ServerSettings.create(ConfigFactory.parseMap(Map.of(
        "pekko.http.server.parsing.error-handler", JsonParsingErrorHandler.class.getName(),
        // The longest method the API knows (OPTIONS); the parser reads up to this many bytes of an
        // unknown one, so a short garbage line is answered at once instead of waiting for more.
        "pekko.http.server.parsing.max-method-length", 7))
        .withFallback(system.settings().config()));
    server = server.withParserSettings(server.getParserSettings().withMaxContentLength(settings.maxBodyBytes()));
    Optional<String> warning;
    try {
      warning = AccessControl.checkExposure(host, settings);
    } catch (IllegalStateException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    NodeMetrics metrics = NodeMetrics.get(system);
    Route api = new LeannRoutes(service, settings).route(metrics::response);
    return Http.get(system).newServerAt(host, port).withSettings(server)
        .bind(new RequestTelemetry(metrics.registry()).wrap(() -> HeaderGuard.wrap(() -> api)))
        .thenApply(binding -> {
          binding.addToCoordinatedShutdown(DRAIN, system);
          warning.ifPresent(w -> system.log().warn(w));
          system.log().info("leann http api on http://{}:{} ({})", binding.localAddress().getHostString(),
              binding.localAddress().getPort(), settings);
          return binding;
        });
  }
}
