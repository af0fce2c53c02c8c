package io.leann.coordinator.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.cluster.ClusterLeannService;
import io.leann.coordinator.cluster.LeannNode;
import io.leann.coordinator.http.HttpServer;
import io.leann.coordinator.http.HttpSettings;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann serve}: runs one node of a LEANN cluster until it is stopped (SIGTERM runs Pekko's
 * coordinated shutdown) or downed. With no options it is the embedded default, a one-node cluster
 * with every role serving HTTP on {@code $PORT} (8080). Prints one line on stdout once the node is
 * Up and its HTTP API (if any) is bound:
 * {@code leann node up: pekko://leann@127.0.0.1:2552 roles=[coordinator, embed, shard] http=http://127.0.0.1:8080}
 * ({@code http=none} without the coordinator role); logs go to stderr. Exit code 0 after a
 * requested stop, 1 when the node could not join or was downed by the split-brain resolver.
 *
 * <p>Joining: through {@code --seed} nodes, or through Pekko Cluster Bootstrap ({@code --bootstrap},
 * the default in Kubernetes, where {@code PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME} is set); Pekko
 * management ({@code /ready}, {@code /alive}, {@code /metrics}) runs on {@code --management-port}.
 *
 * <p>Access: the HTTP API takes the keys of {@link HttpSettings#fromConfig}; bound to a
 * non-loopback {@code --http-host} without a write key and an admin key it refuses to start
 * (exit 1) unless {@code --insecure} is given.
 *
 * <p>Split-brain resolver: keep-majority. A cluster of two nodes that loses one keeps the side with
 * the lower address, which may be the dead one: run three or more nodes where partitions matter.
 */
@Command(name = "serve", description = "Run a LEANN cluster node (and the HTTP API on coordinator nodes).")
final class ServeCommand implements Callable<Integer> {
  /** Pekko management's own default, the port the Kubernetes probes and bootstrap contact. */
  private static final int DEFAULT_MANAGEMENT_PORT = 7626;

  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--roles", split = ",", defaultValue = "coordinator,shard,embed",
      description = "Comma-separated roles: coordinator (HTTP API), shard (index shards), embed "
          + "(embedding and recompute workers). Default: ${DEFAULT-VALUE}.")
  List<String> roles;

  @Option(names = "--hostname", defaultValue = "127.0.0.1",
      description = "Address other nodes reach this one at (Artery, recompute endpoint, management); `auto` is "
          + "the address this host's name resolves to (a container's IP, for replicas that share one service "
          + "definition); default ${DEFAULT-VALUE}.")
  String hostname;

  @Option(names = "--port", defaultValue = "2552", description = "Artery (cluster) port, 0 for any free one; "
      + "default ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--seed", description = "host:port of a node to join through; repeatable. Default: this "
      + "node itself, starting a new cluster.")
  List<String> seeds = new ArrayList<>();

  @Option(names = "--http-host", description = "Interface the HTTP API binds; default: --hostname.")
  String httpHost;

  @Option(names = "--http-port", description = "HTTP API port, 0 for any free one; default: $PORT, else 8080.")
  Integer httpPort;

  @Option(names = "--insecure", description = "Serve the HTTP API on a non-loopback --http-host without a write "
      + "key and an admin key (LEANN_API_KEY, LEANN_ADMIN_KEY, or a keys file); refused otherwise. Warns at every "
      + "start.")
  boolean insecure;

  @Option(names = "--embed-port", defaultValue = "0", description = "Recompute (ZMQ) port of an embed node, "
      + "0 for any free one; LEANN_EMBED_ENDPOINT overrides the whole endpoint. Default ${DEFAULT-VALUE}.")
  int embedPort;

  @Option(names = "--management-port", description = "Pekko management port: /ready, /alive (health checks) and "
      + "/metrics. Default: $LEANN_MANAGEMENT_PORT; without it, 7626 when bootstrapping, else no management.")
  Integer managementPort;

  @Option(names = "--bootstrap", negatable = true, description = "Join through Pekko Cluster Bootstrap "
      + "(discovery per application.conf: the Kubernetes API, pods labelled app=$PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME) "
      + "instead of seed nodes. Default: on when no --seed is given and PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME is set.")
  Boolean bootstrap;

  @Option(names = "--embedding-mode", defaultValue = "sentence-transformers",
      description = "Embedding provider of an embed node (default ${DEFAULT-VALUE}).")
  String embeddingMode;

  @Option(names = "--embedding-model", description = "Model of an embed node (default: the provider's; "
      + "locally the shipped all-MiniLM-L6-v2).")
  String embeddingModel;

  @Mixin EmbeddingFlags embedding;

  @Option(names = "--max-seq-length", description = "Tokens per text the local model of an embed node sees, "
      + "[CLS] and [SEP] included (default: the model's 256). Embed workers serve the indexes whose meta records the "
      + "same max_seq_length, such as one imported with leann import --max-seq-length 128.")
  Integer maxSeqLength;

  @Override
  public Integer call() {
    Map<String, String> env = cli.env();
    String advertised = advertisedHost();
    Set<String> roleSet = new TreeSet<>(roles);
    if (roleSet.isEmpty() || !LeannNode.ALL_ROLES.containsAll(roleSet)) {
      throw new ParameterException(spec.commandLine(), "--roles must name some of " + new TreeSet<>(LeannNode.ALL_ROLES)
          + ", got " + roles);
    }
    List<Address> seedAddresses = new ArrayList<>();
    for (String seed : seeds) {
      seedAddresses.add(seedAddress(seed));
    }
    int http = httpPort != null ? httpPort : Integer.parseInt(env.getOrDefault("PORT", "8080"));
    String endpoint = env.getOrDefault("LEANN_EMBED_ENDPOINT", "tcp://" + advertised + ":" + embedPort);
    String serviceName = env.get("PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME");
    boolean bootstrapping = bootstrap != null ? bootstrap
        : seeds.isEmpty() && serviceName != null && !serviceName.isBlank();
    if (bootstrapping && !seeds.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--bootstrap and --seed exclude each other: a node "
          + "joins through seed nodes or through Cluster Bootstrap");
    }
    Integer management = managementPort;
    if (management == null && env.containsKey("LEANN_MANAGEMENT_PORT")) {
      management = port("LEANN_MANAGEMENT_PORT", env.get("LEANN_MANAGEMENT_PORT"));
    } else if (management == null && bootstrapping) {
      management = DEFAULT_MANAGEMENT_PORT;
    }
    Config config = LeannNode.config(advertised, port, roleSet, ConfigFactory.load());
    if (management != null) {
      config = LeannNode.withManagement(config, advertised, management, bootstrapping);
    }
    Map<String, String> embedEnv;
    try {
      embedEnv = embedding.env(embeddingMode, env);
    } catch (EmbeddingException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    LeannNode node = LeannNode.start(config, seedAddresses, env,
        () -> EmbedderFactory.create(embeddingMode, embeddingModel, embedEnv, maxSeqLength == null ? null
            : Map.of(EmbedderFactory.MAX_SEQ_LENGTH, maxSeqLength.toString())), endpoint);
    String httpUrl = "none";
    if (roleSet.contains(ClusterLeannService.ROLE)) {
      String host = httpHost != null ? httpHost : advertised;
      ServerBinding binding;
      try {
        binding = HttpServer.start(node.system(), node.service(), host, http,
            HttpSettings.fromConfig(config, env).withInsecure(insecure)).toCompletableFuture().join();
      } catch (CompletionException e) {
        node.stop();
        throw new IllegalStateException("cannot serve HTTP on " + host + ":" + http + ": "
            + e.getCause().getMessage(), e.getCause());
      }
      httpUrl = "http://" + host + ":" + binding.localAddress().getPort();
    }
    // A node that cannot join its seeds stops by itself (shutdown-after-unsuccessful-join-seed-nodes).
    CompletableFuture<Object> upOrStopped = CompletableFuture.anyOf(node.whenUp().toCompletableFuture(),
        node.system().getWhenTerminated().toCompletableFuture());
    upOrStopped.join();
    PrintWriter out = spec.commandLine().getOut();
    if (node.system().getWhenTerminated().toCompletableFuture().isDone()) {
      spec.commandLine().getErr().println("leann: node " + node.address() + " stopped before it was Up in a cluster");
      return 1;
    }
    out.println("leann node up: " + node.address() + " roles=" + roleSet + " http=" + httpUrl);
    out.flush();
    node.system().getWhenTerminated().toCompletableFuture().join();
    // Stopped on request (SIGTERM) is a clean exit; downed by the cluster is a failure, so that a
    // supervisor restarts the node and it joins again.
    boolean downed = CoordinatedShutdown.get(node.system()).getShutdownReason()
        .map(CoordinatedShutdown.clusterDowningReason()::equals).orElse(false);
    if (downed) {
      spec.commandLine().getErr().println("leann: node " + node.address() + " was downed by the cluster");
      return 1;
    }
    return 0;
  }

  /** {@code --hostname}, with {@code auto} resolved. */
  private String advertisedHost() {
    if (!hostname.equals("auto")) {
      return hostname;
    }
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      throw new ParameterException(spec.commandLine(), "--hostname auto: this host's name does not resolve ("
          + e.getMessage() + "); give the address explicitly");
    }
  }

  private int port(String name, String value) {
    try {
      int p = Integer.parseInt(value.strip());
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ParameterException(spec.commandLine(), name + " must be a port number, got '" + value + "'");
  }

  private Address seedAddress(String seed) {
    int colon = seed.lastIndexOf(':');
    try {
      if (colon > 0) {
        return new Address("pekko", LeannNode.SYSTEM_NAME, seed.substring(0, colon),
            Integer.parseInt(seed.substring(colon + 1)));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ParameterException(spec.commandLine(), "--seed must be host:port, got '" + seed + "'");
  }
}
