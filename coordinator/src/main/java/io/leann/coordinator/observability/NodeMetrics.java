package io.leann.coordinator.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;

/**
 * The metrics of one node (one actor system): a Prometheus registry with the JVM's own meters
 * (memory, GC, threads, class loading, CPU, uptime) bound, into which the node's roles record
 * theirs: search latency and work on coordinators, shard load state on shard nodes, the embed
 * pool's queue and throughput on embed nodes, HTTP status counts where the API is served.
 *
 * <p>A Pekko extension, so there is exactly one per actor system even with several nodes in one
 * JVM (tests), and so that Pekko management can load it as a route provider by class name
 * ({@code pekko.management.http.routes.leann-metrics}): {@code GET /metrics} on the management port
 * serves every role's node, including shard and embed nodes that have no HTTP API. Coordinators
 * also serve it on the API port. Thread-safe.
 */
public final class NodeMetrics implements ManagementRouteProvider {
  /** Prometheus text exposition format 0.0.4, what {@link PrometheusMeterRegistry#scrape()} writes. */
  private static final ContentType.WithCharset TEXT_FORMAT = MediaTypes.TEXT_PLAIN.toContentType(HttpCharsets.UTF_8);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private NodeMetrics(ExtendedActorSystem system) {
    registry.config().commonTags("node", system.provider().getDefaultAddress().hostPort());
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    // The GC binder listens to JMX notifications until closed.
    system.registerOnTermination(() -> {
      gc.close();
      registry.close();
    });
  }

  /** The metrics of {@code system}'s node, created with the first call. */
  public static NodeMetrics get(ActorSystem<?> system) {
    return Id.INSTANCE.get(system.classicSystem());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Every meter in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** {@code GET /metrics}. */
  public Route route() {
    return Directives.path("metrics", () -> Directives.get(() -> Directives.complete(response())));
  }

  /** The answer to {@code GET /metrics}: every meter now, in Prometheus text format. */
  public HttpResponse response() {
    return HttpResponse.create().withEntity(HttpEntities.create(TEXT_FORMAT, scrape()));
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return route();
  }

  /**
   * The extension id; Pekko management instantiates it by class name (public, no-argument
   * constructor) and registers {@link #lookup()}.
   */
  public static final class Id extends AbstractExtensionId<NodeMetrics> implements ExtensionIdProvider {
    public static final Id INSTANCE = new Id();

    @Override
    public NodeMetrics createExtension(ExtendedActorSystem system) {
      return new NodeMetrics(system);
    }

    @Override
    public Id lookup() {
      return INSTANCE;
    }
  }
}
