package io.leann.coordinator.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.observability.NodeMetrics;
import io.leann.embed.Embedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.CachingEmbedder;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.protocol.cluster.EmbedWorkerInfo;
import io.leann.shard.actor.EmbedDirectory;
import io.leann.shard.actor.EmbedEndpoint;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.actor.ShardMetrics;
import io.leann.shard.actor.ShardSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.zeromq.ZContext;

/**
 * One LEANN cluster node: the actor system {@value #SYSTEM_NAME} joined to a Pekko cluster, with
 * what its roles ask for.
 *
 * <ul>
 *   <li>every node: an {@link EmbedDirectory} of the embed workers, and the index shard region
 *       (a proxy on nodes without the {@value IndexShards#ROLE} role);
 *   <li>{@value IndexShards#ROLE}: shard entities ({@link io.leann.shard.actor.ShardActor}) and a
 *       ZMQ context for their recompute sockets;
 *   <li>{@value #EMBED_ROLE}: an embed pool ({@link BatchCoalescer} over embed workers), the ZMQ
 *       {@link RecomputeServer} on top of it, and an {@link EmbedEndpoint} registered with the
 *       Receptionist so that the other nodes find both;
 *   <li>{@value ClusterLeannService#ROLE}: the {@link ClusterLeannService} the HTTP API serves.
 * </ul>
 *
 * <p>Joining: through seed nodes, or through Pekko Cluster Bootstrap when the config asks for it
 * ({@link #withManagement}); Pekko management, when enabled, serves the health checks
 * ({@code /ready}, {@code /alive}) and {@code /metrics} ({@link NodeMetrics}) on its own port.
 *
 * <p>Shutdown is Pekko's coordinated shutdown (run on SIGTERM by the JVM shutdown hook, or when the
 * split-brain resolver downs the node): shards hand off, then the recompute server, the embedder
 * and the ZMQ context close. Instances are immutable after {@link #start}.
 */
public final class LeannNode {
  public static final String SYSTEM_NAME = "leann";
  private static final Duration MANAGEMENT_BIND_TIMEOUT = Duration.ofSeconds(30);
  public static final String EMBED_ROLE = "embed";
  /** The roles of the embedded default: one node doing everything. */
  public static final Set<String> ALL_ROLES =
      Set.of(ClusterLeannService.ROLE, IndexShards.ROLE, EMBED_ROLE);

  private final ActorSystem<Void> system;
  private final Set<String> roles;
  private final ClusterLeannService service;
  private final String embedEndpoint;

  private LeannNode(ActorSystem<Void> system, Set<String> roles, ClusterLeannService service,
      String embedEndpoint) {
    this.system = system;
    this.roles = roles;
    this.service = service;
    this.embedEndpoint = embedEndpoint;
  }

  /**
   * The configuration of a node: {@code base} (normally {@code ConfigFactory.load()}, which holds
   * {@code application.conf}) with the cluster provider, the canonical Artery address and the roles.
   *
   * @param port Artery port; 0 picks a free one
   */
  public static Config config(String hostname, int port, Set<String> roles, Config base) {
    return ConfigFactory.empty()
        .withValue("pekko.actor.provider", ConfigValueFactory.fromAnyRef("cluster"))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(hostname))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(new TreeSet<>(roles)))
        .withFallback(base)
        .resolve();
  }

  /**
   * {@code config} with Pekko management on {@code hostname:managementPort} ({@code /ready},
   * {@code /alive}, {@code /metrics}) and, if {@code bootstrap}, Cluster Bootstrap instead of seed
   * nodes: the node finds its peers through {@code pekko.management.cluster.bootstrap} discovery
   * (the Kubernetes API by default, see {@code application.conf}).
   *
   * @param hostname the address other nodes reach the management endpoint at (the pod IP)
   */
  public static Config withManagement(Config config, String hostname, int managementPort, boolean bootstrap) {
    return ConfigFactory.empty()
        .withValue("leann.management.enabled", ConfigValueFactory.fromAnyRef(true))
        .withValue("leann.management.bootstrap", ConfigValueFactory.fromAnyRef(bootstrap))
        .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(hostname))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(managementPort))
        .withFallback(config);
  }

  /**
   * Starts a node and asks it to join the cluster.
   *
   * @param config from {@link #config}
   * @param seeds nodes to join through; empty to start a new cluster with this node as its seed, or
   *     to let Cluster Bootstrap decide when the config asks for it ({@link #withManagement})
   * @param env environment: {@code LEANN_INDEX_DIR}, embedding providers' keys and hosts
   * @param embedder the model of the {@value #EMBED_ROLE} role, created only on such a node
   * @param embedEndpoint ZMQ endpoint the recompute server binds and announces, e.g.
   *     {@code tcp://10.0.0.7:0} (port 0 picks a free port)
   */
  public static LeannNode start(Config config, List<Address> seeds, Map<String, String> env,
      Supplier<Embedder> embedder, String embedEndpoint) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    NodeStartup startup = NodeStartup.get(system.classicSystem());
    try {
      Cluster cluster = Cluster.get(system);
      Set<String> roles = Set.copyOf(cluster.selfMember().getRoles().stream()
          .filter(r -> !r.startsWith("dc-")).toList());
      // The replicator starts with the first use of Distributed Data (the classic extension), and
      // majority reads and writes (shard locations, the index registry) need one on every node,
      // whatever its roles.
      DistributedData.get(system.classicSystem());
      MeterRegistry metrics = NodeMetrics.get(system).registry();
      boolean bootstrap = config.getBoolean("leann.management.bootstrap");
      if (bootstrap && !seeds.isEmpty()) {
        throw new IllegalArgumentException("a node joins through seed nodes or through Cluster Bootstrap, "
            + "not both: seeds " + seeds);
      }
      if (config.getBoolean("leann.management.enabled")) {
        startManagement(system);
      }
      if (bootstrap) {
        ClusterBootstrap.get(system.classicSystem()).start();
      } else if (seeds.isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      } else {
        cluster.manager().tell(new JoinSeedNodes(seeds));
      }
      ShardSettings shardSettings = ShardSettings.fromConfig(config, IndexRegistry.fromEnvironment(env).root());
      ActorRef<EmbedDirectory.Command> directory = system.systemActorOf(
          EmbedDirectory.create(shardSettings.describeTimeout()), "embed-directory", Props.empty());
      String endpoint = roles.contains(EMBED_ROLE)
          ? startEmbed(system, config, embedder.get(), embedEndpoint, new EmbedPoolMetrics(metrics)) : null;
      if (roles.contains(IndexShards.ROLE)) {
        ZContext zmq = new ZContext(1);
        IndexShards.init(system, shardSettings, directory, zmq, new ShardMetrics(metrics));
        onShutdown(system, "leann-close-zmq", zmq::close);
      } else {
        IndexShards.initProxy(system, shardSettings.allocationTimeout());
      }
      ClusterLeannService service = roles.contains(ClusterLeannService.ROLE)
          ? ClusterLeannService.start(system, env, directory) : null;
      startup.finished();
      return new LeannNode(system, roles, service, endpoint);
    } catch (RuntimeException e) {
      startup.failed();
      system.terminate();
      throw e;
    }
  }

  /** Starts the embed pool, its recompute server and its endpoint actor; returns the bound endpoint. */
  private static String startEmbed(ActorSystem<Void> system, Config config, Embedder embedder,
      String endpoint, EmbedPoolMetrics poolMetrics) {
    onShutdown(system, "leann-close-embedder", embedder::close);
    // Before the node announces itself: a cold model's first run would land on the first search's deadline.
    embedder.warmUp();
    EmbedSettings settings = EmbedSettings.fromConfig(config);
    ActorRef<BatchCoalescer.Command> pool = system.systemActorOf(BatchCoalescer.create(embedder, settings, poolMetrics),
        "embed-pool", Props.empty());
    EmbeddingCache<String> cache = new EmbeddingCache<>(config.getBytes("leann.embed.cache-bytes"));
    poolMetrics.watchCache(cache);
    CachingEmbedder client = new CachingEmbedder(EmbedClient.of(pool, system.scheduler(), embedder, settings), cache);
    RecomputeServer server = RecomputeServer.start(ServerSettings.fromConfig(config).withEndpoint(endpoint),
        client);
    // Unbound with the other services, before the pool it feeds stops.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
        "leann-close-recompute-server", () -> {
          server.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.systemActorOf(EmbedEndpoint.create(new EmbedWorkerInfo(server.endpoint(), embedder.modelId(),
        embedder.dimensions(), embedder.maxSeqLength()), client::embed), "embed-endpoint", Props.empty());
    return server.endpoint();
  }

  /**
   * Binds Pekko management (health checks, bootstrap contact point, metrics); waits for the binding
   * so that a taken port fails the start instead of leaving probes unanswered.
   */
  private static void startManagement(ActorSystem<Void> system) {
    PekkoManagement management = PekkoManagement.get(system.classicSystem());
    try {
      management.start().toCompletableFuture().get(MANAGEMENT_BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting Pekko management", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      Config config = system.settings().config();
      throw new IllegalStateException("cannot start Pekko management on "
          + config.getString("pekko.management.http.hostname") + ":" + config.getInt("pekko.management.http.port")
          + ": " + cause.getMessage(), cause);
    }
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "leann-stop-management", () -> management.stop());
  }

  private static void onShutdown(ActorSystem<?> system, String name, Runnable close) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), name, () -> {
      close.run();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** This node's cluster address, {@code pekko://leann@host:port}. */
  public Address address() {
    return Cluster.get(system).selfMember().address();
  }

  public Set<String> roles() {
    return roles;
  }

  /** The API service; present on nodes with the {@value ClusterLeannService#ROLE} role. */
  public ClusterLeannService service() {
    if (service == null) {
      throw new IllegalStateException("node " + address() + " has no " + ClusterLeannService.ROLE + " role");
    }
    return service;
  }

  /** The recompute endpoint of an {@value #EMBED_ROLE} node, or null. */
  public String embedEndpoint() {
    return embedEndpoint;
  }

  /** Completes when this node is Up in the cluster. */
  public CompletionStage<Done> whenUp() {
    CompletableFuture<Done> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(() -> up.complete(Done.getInstance()));
    return up;
  }

  /** Leaves the cluster and stops, through coordinated shutdown; completes when done. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason(), Optional.empty());
  }
}
