package io.leann.coordinator.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or Kubernetes API runs where the tests run, so {@code deploy/} is checked by
 * reading it: the Compose file and every manifest the kustomization lists are parsed as YAML and the
 * fields issue #9 asks for are checked, as are the Dockerfile's stages and their agreement with
 * what {@code leann serve} and {@code application.conf} do (flags, ports, bootstrap discovery).
 */
class DeployManifestsTest {
  private static Path deploy;

  @BeforeAll
  static void findDeploy() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("deploy/kubernetes"))) {
      dir = dir.getParent();
    }
    assertNotNull(dir, "no deploy/kubernetes above " + Path.of("").toAbsolutePath());
    deploy = dir.resolve("deploy");
  }

  @Test
  void composeRunsOneCoordinatorTwoShardAndTwoScalableEmbedNodesOnOneVolume() throws IOException {
    Map<String, Object> compose = map(new Yaml().load(Files.readString(deploy.resolve("docker-compose.yml"))));
    Map<String, Object> services = map(compose.get("services"));
    assertEquals(Set.of("coordinator", "shard-1", "shard-2", "embed"), services.keySet());
    assertTrue(map(compose.get("volumes")).containsKey("indexes"));
    Map<String, Integer> roles = new java.util.HashMap<>();
    for (var e : services.entrySet()) {
      Map<String, Object> s = map(e.getValue());
      assertEquals("deploy/Dockerfile", map(s.get("build")).get("dockerfile"), e.getKey());
      assertEquals(List.of("indexes:/var/lib/leann"), s.get("volumes"), e.getKey());
      assertEquals("/var/lib/leann/indexes", map(s.get("environment")).get("LEANN_INDEX_DIR"), e.getKey());
      List<String> command = strings(s.get("command"));
      assertEquals("serve", command.get(0));
      assertEquals("coordinator:2552", option(command, "--seed"), e.getKey() + " joins through the coordinator");
      int replicas = s.containsKey("deploy") ? (Integer) map(s.get("deploy")).get("replicas") : 1;
      roles.merge(option(command, "--roles"), replicas, Integer::sum);
      if (!e.getKey().equals("coordinator")) {
        assertEquals("service_healthy", map(map(s.get("depends_on")).get("coordinator")).get("condition"));
      }
    }
    assertEquals(Map.of("coordinator", 1, "shard", 2, "embed", 2), roles);
    Map<String, Object> embed = map(services.get("embed"));
    // `--scale embed=N` needs replicas without a fixed name, each advertising its own address.
    assertFalse(embed.containsKey("hostname") || embed.containsKey("container_name") || embed.containsKey("ports"));
    assertEquals("auto", option(strings(embed.get("command")), "--hostname"));
    Map<String, Object> coordinator = map(services.get("coordinator"));
    // Published on the host's loopback unless LEANN_PUBLISH_ADDR says otherwise; the container
    // binds 0.0.0.0, so leann serve needs the write and admin keys, which compose requires (:?).
    assertEquals(List.of("${LEANN_PUBLISH_ADDR:-127.0.0.1}:8080:8080"), coordinator.get("ports"));
    assertEquals("0.0.0.0", option(strings(coordinator.get("command")), "--http-host"));
    Map<String, Object> coordinatorEnv = map(coordinator.get("environment"));
    for (String key : List.of("LEANN_API_KEY", "LEANN_ADMIN_KEY")) {
      assertTrue(String.valueOf(coordinatorEnv.get(key)).startsWith("${" + key + ":?"), key + " is required");
    }
    for (String other : List.of("shard-1", "shard-2", "embed")) {
      assertFalse(map(map(services.get(other)).get("environment")).keySet().stream().anyMatch(DeployManifestsTest::httpKey),
          other + " serves no HTTP and gets no HTTP API key");
    }
  }

  @Test
  void kubernetesManifestsHaveWhatBootstrapProbesAndScalingNeed() throws IOException {
    Map<String, Object> kustomization = map(new Yaml().load(Files.readString(
        deploy.resolve("kubernetes/kustomization.yaml"))));
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String file : strings(kustomization.get("resources"))) {
      for (Object doc : new Yaml().loadAll(Files.readString(deploy.resolve("kubernetes").resolve(file)))) {
        objects.add(map(doc));
      }
    }
    Map<String, Map<String, Object>> byKindAndName = new java.util.HashMap<>();
    for (Map<String, Object> o : objects) {
      Map<String, Object> meta = map(o.get("metadata"));
      if (!o.get("kind").equals("Namespace")) {
        assertEquals("leann", meta.get("namespace"), o.get("kind") + " " + meta.get("name"));
      }
      byKindAndName.put(o.get("kind") + "/" + meta.get("name"), o);
    }
    assertEquals(new TreeSet<>(Set.of("Namespace/leann", "ServiceAccount/leann", "Role/pod-reader",
        "RoleBinding/leann-read-pods", "PersistentVolumeClaim/leann-indexes", "Deployment/leann-coordinator",
        "Deployment/leann-shard", "Deployment/leann-embed", "Service/leann-http")), new TreeSet<>(byKindAndName.keySet()));

    Map<String, Object> rule = map(list(byKindAndName.get("Role/pod-reader").get("rules")).get(0));
    assertEquals(List.of("pods"), rule.get("resources"));
    assertEquals(Set.of("get", "watch", "list"), Set.copyOf(strings(rule.get("verbs"))));
    Map<String, Object> binding = byKindAndName.get("RoleBinding/leann-read-pods");
    assertEquals("pod-reader", map(binding.get("roleRef")).get("name"));
    assertEquals("leann", map(list(binding.get("subjects")).get(0)).get("name"));

    Map<String, Object> pvc = map(byKindAndName.get("PersistentVolumeClaim/leann-indexes").get("spec"));
    assertEquals(List.of("ReadWriteMany"), pvc.get("accessModes"));

    Map<String, Object> service = map(byKindAndName.get("Service/leann-http").get("spec"));
    assertEquals(Map.of("app", "leann", "role", "coordinator"), service.get("selector"));
    assertEquals("http", map(list(service.get("ports")).get(0)).get("targetPort"));

    Config conf = ConfigFactory.parseResources("application.conf").resolve(ConfigResolveOptions.noSystem());
    assertEquals("kubernetes-api", conf.getString(
        "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals("app=%s", conf.getString("pekko.discovery.kubernetes-api.pod-label-selector"));

    for (String role : List.of("coordinator", "shard", "embed")) {
      Map<String, Object> spec = map(byKindAndName.get("Deployment/leann-" + role).get("spec"));
      assertTrue((Integer) spec.get("replicas") >= 2, role + ": bootstrap needs 2 contact points");
      Map<String, Object> template = map(spec.get("template"));
      Map<String, Object> labels = map(map(template.get("metadata")).get("labels"));
      assertEquals("leann", labels.get("app"), role);
      assertEquals(role, labels.get("role"));
      assertEquals(map(spec.get("selector")).get("matchLabels"), Map.of("app", "leann", "role", role));
      Map<String, Object> pod = map(template.get("spec"));
      assertEquals("leann", pod.get("serviceAccountName"), role);
      assertTrue((Integer) pod.get("terminationGracePeriodSeconds") >= 30, role + ": room for coordinated shutdown");
      Map<String, Object> container = map(list(pod.get("containers")).get(0));
      List<String> args = strings(container.get("args"));
      assertEquals(List.of("serve", "--roles", role), args.subList(0, 3));
      assertFalse(args.contains("--seed"), role + ": Cluster Bootstrap, no seed nodes");
      assertEquals("$(POD_IP)", option(args, "--hostname"));
      Map<String, Object> env = new java.util.HashMap<>();
      for (Object e : list(container.get("env"))) {
        env.put((String) map(e).get("name"), map(e));
      }
      assertEquals("metadata.labels['app']", map(map(map(env.get("PEKKO_CLUSTER_BOOTSTRAP_SERVICE_NAME"))
          .get("valueFrom")).get("fieldRef")).get("fieldPath"));
      assertEquals("status.podIP", map(map(map(env.get("POD_IP")).get("valueFrom")).get("fieldRef")).get("fieldPath"));
      Map<String, Integer> ports = new java.util.HashMap<>();
      for (Object p : list(container.get("ports"))) {
        ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort"));
      }
      assertEquals(7626, ports.get("management"));
      assertEquals(2552, ports.get("remoting"));
      assertEquals(Integer.parseInt(option(args, "--port")), ports.get("remoting"));
      if (role.equals("coordinator")) {
        assertEquals(8080, ports.get("http"));
        assertEquals("8080", option(args, "--http-port"));
        // The keys come from a Secret; the write and admin keys are not optional (the API listens
        // on the pod network, where leann serve refuses to run without them).
        for (var key : Map.of("LEANN_API_KEY", "write", "LEANN_ADMIN_KEY", "admin").entrySet()) {
          Map<String, Object> ref = map(map(map(env.get(key.getKey())).get("valueFrom")).get("secretKeyRef"));
          assertEquals("leann-api-keys", ref.get("name"), key.getKey());
          assertEquals(key.getValue(), ref.get("key"), key.getKey());
          assertFalse(Boolean.TRUE.equals(ref.get("optional")), key.getKey());
        }
      } else {
        assertFalse(env.keySet().stream().anyMatch(DeployManifestsTest::httpKey), role + " gets no HTTP API key");
      }
      assertProbe(container, "readinessProbe", "/ready");
      assertProbe(container, "livenessProbe", "/alive");
      Map<String, Object> resources = map(container.get("resources"));
      for (String kind : List.of("requests", "limits")) {
        assertTrue(map(resources.get(kind)).keySet().containsAll(Set.of("cpu", "memory")), role + " " + kind);
      }
      Map<String, Object> volume = map(list(pod.get("volumes")).stream()
          .filter(v -> "indexes".equals(map(v).get("name"))).findFirst().orElseThrow());
      assertEquals("leann-indexes", map(volume.get("persistentVolumeClaim")).get("claimName"));
      Map<String, Object> scrape = map(map(template.get("metadata")).get("annotations"));
      assertEquals("/metrics", scrape.get("prometheus.io/path"));
    }
  }

  private static void assertProbe(Map<String, Object> container, String probe, String path) {
    Map<String, Object> get = map(map(container.get(probe)).get("httpGet"));
    assertEquals(path, get.get("path"), probe);
    assertEquals("management", get.get("port"), probe);
  }

  @Test
  void dockerfileBuildsInOneStageRunsAsNonRootInTheOtherAndChecksItsHealth() throws IOException {
    String dockerfile = Files.readString(deploy.resolve("Dockerfile"));
    List<String> stages = Pattern.compile("(?m)^FROM ").splitAsStream(dockerfile).skip(1).toList();
    assertEquals(2, stages.size(), "a build and a runtime stage");
    assertTrue(stages.get(0).startsWith("maven:3-eclipse-temurin-25 AS build"), stages.get(0));
    assertTrue(stages.get(0).contains("mvn -B -ntp -q -pl coordinator -am package -DskipTests"));
    String runtime = stages.get(1);
    assertTrue(runtime.startsWith("eclipse-temurin:25-jre"), runtime);
    assertTrue(runtime.contains("COPY --from=build /src/coordinator/target/leann.jar /opt/leann/leann.jar"));
    assertTrue(runtime.contains("useradd --system --uid 10001"));
    assertTrue(Pattern.compile("(?m)^USER leann:leann$").matcher(runtime).find(), "runs as the non-root user");
    assertTrue(runtime.contains("ENV LEANN_INDEX_DIR=/var/lib/leann/indexes"));
    assertTrue(runtime.contains("VOLUME [\"/var/lib/leann\"]"));
    Matcher health = Pattern.compile("(?m)^HEALTHCHECK .*\\R\\s+CMD curl -fsS -o /dev/null http://127\\.0\\.0\\.1:(\\d+)/ready")
        .matcher(runtime);
    assertTrue(health.find(), "HEALTHCHECK on the management port's /ready");
    assertTrue(runtime.contains("ENV LEANN_MANAGEMENT_PORT=" + health.group(1) + " LEANN_MANAGEMENT_BIND_HOST=0.0.0.0"));
    assertTrue(runtime.contains("libstdc++6 curl"), "the HEALTHCHECK's curl is installed");
    assertTrue(runtime.contains("ENTRYPOINT [\"java\", \"--add-modules\", \"jdk.incubator.vector\""));
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    assertTrue(i >= 0 && i + 1 < args.size(), () -> name + " missing in " + args);
    return args.get(i + 1);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, () -> "expected a mapping, got " + o);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    assertTrue(o instanceof List, () -> "expected a sequence, got " + o);
    return (List<Object>) o;
  }

  private static List<String> strings(Object o) {
    return list(o).stream().map(String::valueOf).toList();
  }

  /** An HTTP API key variable; CURVE keys of the ZMQ port (LEANN_ZMQ_*) go to shard and embed nodes. */
  private static boolean httpKey(String variable) {
    return variable.startsWith("LEANN_") && !variable.startsWith("LEANN_ZMQ_")
        && (variable.contains("KEY") || variable.contains("TOKEN"));
  }
}
