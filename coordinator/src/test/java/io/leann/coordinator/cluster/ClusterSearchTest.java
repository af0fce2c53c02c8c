package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.cluster.placement.Placement;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.local.FreshKeywords;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ClusterView;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.api.ShardPlacement;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.actor.IndexShards;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.text.HybridFusion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes in one JVM, joined on 127.0.0.1 with real Artery and ZMQ sockets: a coordinator that
 * also hosts shards, a shard node, and a shard node that embeds with the real all-MiniLM-L6-v2.
 * Indexes are built through the API (chunk, embed on the embed node, graphs built by the shard
 * entities, atomic publish), then searched through the cluster and compared with the in-process
 * engine on the same files; shard placement follows the admin calls; each shard has replicas on
 * distinct nodes (by default 2), so a node that dies leaves answers complete, while an index with
 * one copy answers partially, naming its lost shards, until they are placed elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSearchTest {
  private static final Config TEST = ConfigFactory.parseString("""
      pekko.loglevel = WARNING
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.split-brain-resolver.stable-after = 2s
      pekko.cluster.sharding.rebalance-interval = 500ms
      pekko.cluster.distributed-data.gossip-interval = 200ms
      pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
      leann.coordinator.placement.check-interval = 1s
      leann.coordinator.local-embed-fallback = off
      leann.shard.search-dispatcher.thread-pool-executor.fixed-pool-size = 2
      leann.embed.pool-size = 1
      """).withFallback(ConfigFactory.load());
  private static final List<String> TOPICS = List.of("space", "cooking", "music", "sailing", "databases", "gardens");

  @TempDir
  static Path root;

  private LeannNode coordinator;
  private LeannNode shardNode;
  private LeannNode embedNode;
  private ActorTestKit testKit;
  private TestProbe<Object> probe;
  private Map<String, String> env;
  private ClusterLeannService service;
  /** Complete answers of the first test, for checking partial ones later. */
  private SearchResponse completeAnswer;

  @BeforeAll
  void startCluster() {
    env = Map.of("LEANN_INDEX_DIR", root.toString());
    coordinator = node(Set.of(ClusterLeannService.ROLE, IndexShards.ROLE), List.of());
    List<Address> seed = List.of(coordinator.address());
    shardNode = node(Set.of(IndexShards.ROLE), seed);
    embedNode = node(Set.of(IndexShards.ROLE, LeannNode.EMBED_ROLE), seed);
    service = coordinator.service();
    testKit = ActorTestKit.create(coordinator.system());
    probe = testKit.createTestProbe();
    probe.awaitAssert(Duration.ofSeconds(30), () -> {
      long up = StreamSupport.stream(Cluster.get(coordinator.system()).state().getMembers().spliterator(), false)
          .filter(m -> m.status().equals(MemberStatus.up())).count();
      assertEquals(3, up);
      return null;
    });
  }

  private LeannNode node(Set<String> roles, List<Address> seeds) {
    Config config = LeannNode.config("127.0.0.1", 0, roles, TEST);
    return LeannNode.start(config, seeds, env, OnnxEmbedder::create, "tcp://127.0.0.1:0");
  }

  @AfterAll
  void stopCluster() {
    for (LeannNode n : List.of(embedNode, shardNode, coordinator)) {
      n.system().terminate();
      n.system().getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  @Order(1)
  void indexesBuiltThroughTheApiAnswerLikeTheLocalEngine() throws Exception {
    assertEquals(404, status(service.search("docs", request("stars", null, null))));
    service.createIndex("docs", new IndexSettings(null, null, "cosine", 3, true, false, 16)).toCompletableFuture().join();
    service.createIndex("pruned", new IndexSettings(null, null, "l2", 2, true, true, 16, null, "exact"))
        .toCompletableFuture().join();
    assertEquals(409, status(service.createIndex("docs", new IndexSettings(null, null, "l2", 3, null, null, null))));
    assertEquals(409, status(service.createIndex("docs",
        new IndexSettings(null, null, null, null, null, null, null, null, "cjk"))));
    assertEquals(400, status(service.createIndex("other",
        new IndexSettings(null, null, null, null, null, null, null, null, "klingon"))));
    // PUT is idempotent: fields left out ask for nothing.
    assertEquals("cosine", service.createIndex("docs", new IndexSettings(null, null, null, 3, null, null, null))
        .toCompletableFuture().join().metric());
    assertEquals(0, service.search("docs", request("stars", null, null)).toCompletableFuture().join()
        .results().size());
    assertEquals(400, status(service.addDocuments("docs", List.of(new DocumentIn(" ", null)))));

    awaitDone(service.addDocuments("docs", documents(0, 48)));
    awaitDone(service.addDocuments("pruned", documents(0, 30)));
    // A second job appends to the published generation; its first passages are reused, not re-embedded.
    awaitDone(service.addDocuments("docs", documents(48, 72)));
    assertEquals(72, service.index("docs").toCompletableFuture().join().passages());
    IndexMeta meta = IndexMeta.read(root.resolve("docs").resolve("documents.leann.meta.json"));
    assertEquals(3, meta.shards().size());
    assertEquals("standard", meta.textAnalyzer());
    assertEquals("exact", IndexMeta.read(root.resolve("pruned").resolve("documents.leann.meta.json")).textAnalyzer());
    FreshKeywords.assertRanksAsAFreshBuild(new IndexRegistry(root).layout("docs"), root,
        List.of("rockets leaving the launch pad", "slow cooked tomato sauce"));

    IndexRegistry disk = new IndexRegistry(root);
    try (IndexSearcher local = IndexSearcher.open(disk.layout("docs"), env);
        IndexSearcher localPruned = IndexSearcher.open(disk.layout("pruned"), env)) {
      for (String query : List.of("rockets leaving the launch pad", "slow cooked tomato sauce",
          "indexes and query planners", "wind on the open sea")) {
        SearchResponse clustered = service.search("docs", request(query, null, null)).toCompletableFuture().join();
        assertFalse(clustered.partial());
        assertSame(local.search(query, 5, 64, false, null), clustered);

        Map<String, Object> spec = Map.of("topic", Map.of("==", "music"));
        SearchResponse filtered = service.search("docs", request(query, spec, null)).toCompletableFuture().join();
        assertSame(local.search(query, 5, 64, false, MetadataFilter.of(spec)), filtered);
        assertTrue(filtered.results().stream().allMatch(h -> "music".equals(h.metadata().get("topic"))));

        SearchResponse hybrid = service.search("docs", request(query, null, 0.5)).toCompletableFuture().join();
        assertSame(local.hybrid(query, 5, 64, false, null, HybridFusion.Spec.of(null, 0.5),
            TwoLevelOptions.defaults()).hits(), hybrid);
        SearchResponse rrf = service.search("docs", new SearchRequest(query, 5, 64, null, null, null, null, null,
            null, "rrf")).toCompletableFuture().join();
        assertSame(local.hybrid(query, 5, 64, false, null, HybridFusion.Spec.of("rrf", null),
            TwoLevelOptions.defaults()).hits(), rrf);

        // Recompute through the ZMQ workers of the embed node against recompute in process.
        SearchResponse recomputed = service.search("pruned", request(query, null, null)).toCompletableFuture()
            .join();
        List<SearchHit> expected = localPruned.search(query, 5, 64, true, null);
        assertEquals(ids(expected), recomputed.results().stream().map(SearchResponse.Hit::id).toList());
        for (int i = 0; i < expected.size(); i++) {
          assertEquals(expected.get(i).score(), recomputed.results().get(i).score(), 1e-4);
        }
      }
    }
    assertEquals(400, status(service.search("docs", request("x", Map.of("topic", Map.of("~~", 1)), null))));
    // Without recompute the pruned index answers from its PQ codes alone (compressed mode).
    SearchResponse compressed = service.search("pruned", new SearchRequest("x", 3, null, false, null, null))
        .toCompletableFuture().join();
    assertEquals(3, compressed.results().size());
    assertEquals(0L, compressed.stats().get("recomputed"));
    assertTrue(compressed.stats().get("pq_distances") > 0, compressed.stats().toString());
    completeAnswer = service.search("docs", new SearchRequest("music and sailing", 20, 64, null, null, null))
        .toCompletableFuture().join();
  }

  @Test
  @Order(2)
  void documentsDeletedByMetadataLeaveANewGenerationWithoutThem() throws Exception {
    service.createIndex("trim", new IndexSettings(null, null, "cosine", 2, true, false, 16)).toCompletableFuture()
        .join();
    JobStatus added = awaitDone(service.addDocuments("trim", documents(0, 24)));
    assertEquals(List.of(24L, 24L, 0L, 24L, 24L), List.of(added.documents(), added.passagesAdded(),
        added.passagesRemoved(), added.done(), added.total()), added.toString());
    Map<String, Object> music = Map.of("topic", Map.of("==", "music"));
    assertEquals(400, status(service.deleteDocuments("trim", Map.of())));
    assertEquals(400, status(service.deleteDocuments("trim", Map.of("topic", "music"))));
    assertEquals(404, status(service.deleteDocuments("nope", music)));

    JobStatus removed = awaitDone(service.deleteDocuments("trim", music));
    assertEquals(List.of(0L, 0L, 4L, 20L), List.of(removed.documents(), removed.passagesAdded(),
        removed.passagesRemoved(), removed.done()), removed.toString());
    assertEquals("removed 4 passages", removed.result());
    assertEquals(20, service.index("trim").toCompletableFuture().join().passages());
    FreshKeywords.assertRanksAsAFreshBuild(new IndexRegistry(root).layout("trim"), root,
        List.of("wind on the open sea", "rockets leaving the launch pad"));
    Path meta = root.resolve("trim").resolve("documents.leann.meta.json");
    String query = "the quartet rehearsed before the evening concert";
    SearchResponse after = service.search("trim", request(query, null, null)).toCompletableFuture().join();
    assertTrue(after.results().stream().noneMatch(h -> "music".equals(h.metadata().get("topic"))), after.toString());
    try (IndexSearcher local = IndexSearcher.open(new IndexRegistry(root).layout("trim"), env)) {
      assertSame(local.search(query, 5, 64, false, null), after);
    }
    // Kept passages keep their own embeddings: each document's text finds itself first.
    for (DocumentIn doc : documents(0, 24)) {
      if (!"music".equals(doc.metadata().get("topic"))) {
        SearchResponse self = service.search("trim", request(doc.text(), null, null)).toCompletableFuture().join();
        assertEquals(doc.metadata().get("n"), self.results().get(0).metadata().get("n"), doc.text());
      }
    }

    byte[] published = Files.readAllBytes(meta);
    JobStatus none = awaitDone(service.deleteDocuments("trim", Map.of("topic", Map.of("==", "weather"))));
    assertEquals(0L, none.passagesRemoved());
    assertEquals("the filter matched no passage: nothing changed", none.result());
    assertArrayEquals(published, Files.readAllBytes(meta), "a filter that matches nothing publishes nothing");
    assertEquals("ready", service.index("trim").toCompletableFuture().join().status());

    String all = service.deleteDocuments("trim", Map.of("n", Map.of(">=", 0))).toCompletableFuture().join().id();
    JobStatus refused = probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(200), () -> {
      JobStatus s = service.job(all).toCompletableFuture().join();
      assertEquals("failed", s.state(), s.toString());
      return s;
    });
    assertTrue(refused.error().contains("delete the index instead"), refused.error());
    assertEquals(20, service.index("trim").toCompletableFuture().join().passages());
    assertArrayEquals(published, Files.readAllBytes(meta));
    service.deleteIndex("trim").toCompletableFuture().join();
  }

  @Test
  @Order(3)
  void shardsRunWhereTheAdminApiSaysAndMoveWhenTold() {
    // Three shard nodes: the default replication puts 2 copies of each shard on distinct nodes.
    Map<String, ShardPlacement> placements = awaitPlaced("docs", 3, 2);
    for (int k = 0; k < 3; k++) {
      assertFalse(placements.get("docs/" + k).actualNode().equals(placements.get("docs/" + k + "/r1").actualNode()),
          placements.toString());
    }
    Set<String> holders = Set.of(placements.get("docs/0").actualNode(), placements.get("docs/0/r1").actualNode());
    Address target = List.of(coordinator.address(), shardNode.address(), embedNode.address()).stream()
        .filter(a -> !holders.contains(a.toString())).findFirst().orElseThrow();
    ShardPlacement moved = service.moveShard("docs", 0, target.toString()).toCompletableFuture().join();
    assertEquals(target.toString(), moved.desiredNode());
    assertEquals("pinned by PUT /admin/indexes/docs/shards/0", moved.reason());
    LeannNode host = List.of(coordinator, shardNode, embedNode).stream()
        .filter(n -> n.address().equals(target)).findFirst().orElseThrow();
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      // The entity restarts on the new node at the next message.
      service.search("docs", request("rockets", null, null)).toCompletableFuture().join();
      assertTrue(regionShards(host).contains("docs/0"));
      assertEquals(target.toString(), placed("docs", 3, 2).get("docs/0").actualNode());
      return null;
    });
    SearchResponse after = service.search("docs", new SearchRequest("music and sailing", 20, 64, null, null, null))
        .toCompletableFuture().join();
    assertEquals(ids(completeAnswer), ids(after));

    assertEquals(404, status(service.moveShard("nope", 0, target.toString())));
    assertEquals(404, status(service.moveShard("docs", 7, target.toString())));
    assertEquals(404, status(service.moveShard("docs", 0, 2, target.toString())));
    assertEquals(400, status(service.moveShard("docs", 0, "pekko://leann@127.0.0.1:1")));
    assertEquals(400, status(service.moveShard("docs", 0, "not an address")));
    // The other copy of docs/0 cannot join it.
    assertEquals(400, status(service.moveShard("docs", 0, 1, target.toString())));

    List<ShardPlacement> spread = service.rebalance("docs").toCompletableFuture().join();
    assertEquals(6, spread.size());
    assertEquals(3, new HashSet<>(spread.stream().map(ShardPlacement::desiredNode).toList()).size());
    spread.forEach(p -> assertEquals(Placement.SPREAD, p.reason(), p.toString()));
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      service.search("docs", request("rockets", null, null)).toCompletableFuture().join();
      return placed("docs", 3, 2);
    });
    assertEquals(3, service.nodes().toCompletableFuture().join().size());
  }

  @Test
  @Order(4)
  void theReplicationFactorChangesAtRuntimeAndTheClusterViewShowsTheCopies() {
    assertEquals(400, status(service.setReplicas("docs", 0)));
    assertEquals(400, status(service.setReplicas("docs", null)));
    assertEquals(404, status(service.setReplicas("nope", 2)));
    List<ShardPlacement> three = service.setReplicas("docs", 3).toCompletableFuture().join();
    assertEquals(9, three.size(), three.toString());
    for (int k = 0; k < 3; k++) {
      int shard = k;
      assertEquals(3, three.stream().filter(p -> p.shard() == shard).map(ShardPlacement::desiredNode).distinct()
          .count(), three.toString());
    }
    // Every copy answers the same: searches spread over them and stay complete and equal.
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      SearchResponse again = service.search("docs", new SearchRequest("music and sailing", 20, 64, null, null, null))
          .toCompletableFuture().join();
      assertEquals(ids(completeAnswer), ids(again));
      return placed("docs", 3, 3);
    });
    // Replicas load at their first search; the selector asks each one within its probe interval.
    ClusterView view = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(300), () -> {
      service.search("docs", request("rockets", null, null)).toCompletableFuture().join();
      ClusterView v = service.cluster().toCompletableFuture().join();
      for (ClusterView.Node n : v.nodes()) {
        List<ClusterView.Replica> ofDocs = n.shards().stream().filter(r -> r.index().equals("docs")).toList();
        assertEquals(3, ofDocs.size(), n.toString());
        assertEquals(Set.of(0, 1, 2), Set.copyOf(ofDocs.stream().map(ClusterView.Replica::shard).toList()));
        ofDocs.forEach(r -> assertEquals("loaded", r.state(), r.toString()));
      }
      return v;
    });
    assertEquals(3, view.nodes().size());
    ClusterView.IndexReplicas docs = view.indexes().stream().filter(i -> i.index().equals("docs")).findFirst()
        .orElseThrow();
    assertEquals(new ClusterView.IndexReplicas("docs", 3, 3, 3), docs);
    assertTrue(view.unplaced().isEmpty(), view.unplaced().toString());

    List<ShardPlacement> two = service.setReplicas("docs", 2).toCompletableFuture().join();
    assertEquals(6, two.size());
    // The third copies stop where they ran.
    probe.awaitAssert(Duration.ofSeconds(20), () -> {
      for (LeannNode n : List.of(coordinator, shardNode, embedNode)) {
        assertTrue(regionEntities(n).stream().noneMatch(id -> id.endsWith("/r2")), regionEntities(n).toString());
      }
      return null;
    });
  }

  @Test
  @Order(5)
  void aShardNodeThatDiesLeavesReplicatedAnswersCompleteAndOthersPartialUntilTheirShardsMove() throws Exception {
    // One copy of "pruned", its shard 0 pinned to the node that dies: that shard has no other copy.
    service.setReplicas("pruned", 1).toCompletableFuture().join();
    service.moveShard("pruned", 0, shardNode.address().toString()).toCompletableFuture().join();
    service.moveShard("pruned", 1, embedNode.address().toString()).toCompletableFuture().join();
    SearchRequest prunedQuery = new SearchRequest("wind on the open sea", 10, 64, null, null, null);
    SearchResponse prunedComplete = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
      SearchResponse r = service.search("pruned", prunedQuery).toCompletableFuture().join();
      Map<String, ShardPlacement> pinned = placed("pruned", 2, 1);
      assertEquals(shardNode.address().toString(), pinned.get("pruned/0").actualNode());
      assertEquals(embedNode.address().toString(), pinned.get("pruned/1").actualNode());
      assertFalse(r.partial());
      return r;
    });
    Map<String, ShardPlacement> placements = awaitPlaced("docs", 3, 2);
    assertTrue(placements.values().stream().anyMatch(p -> shardNode.address().toString().equals(p.actualNode())),
        "the dying node holds a copy of docs: " + placements);
    // No leaving, no handoff: to the others the node just stops answering.
    shardNode.system().terminate();
    shardNode.system().getWhenTerminated().toCompletableFuture().join();

    SearchRequest wide = new SearchRequest("music and sailing", 20, 64, null, null, null);
    // Every shard of docs has a copy elsewhere: every answer is complete and right, from the first on.
    for (int i = 0; i < 40; i++) {
      SearchResponse replicated = service.search("docs", wide).toCompletableFuture().join();
      assertFalse(replicated.partial(), "search " + i + " missing " + replicated.missingShards());
      assertEquals(ids(completeAnswer), ids(replicated), "search " + i);
    }

    SearchResponse partial = service.search("pruned", prunedQuery).toCompletableFuture().join();
    assertTrue(partial.partial());
    assertEquals(List.of(0), partial.missingShards());
    // Never wrong: the hits are the complete answer without the lost shard's passages, in order.
    List<String> survivors = new ArrayList<>();
    IndexMeta.Shard lost = IndexMeta.read(root.resolve("pruned").resolve("documents.leann.meta.json")).shards().get(0);
    for (SearchResponse.Hit h : prunedComplete.results()) {
      long row = Long.parseLong(h.id());
      if (row < lost.firstRow() || row >= lost.firstRow() + lost.count()) {
        survivors.add(h.id());
      }
    }
    assertEquals(survivors, ids(partial).subList(0, survivors.size()));

    probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
      SearchResponse again = service.search("pruned", prunedQuery).toCompletableFuture().join();
      assertFalse(again.partial(), "still missing " + again.missingShards());
      assertEquals(ids(prunedComplete), ids(again));
      return null;
    });
    // The lost copies of docs are placed again on the two nodes left, apart from their twins.
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
      service.search("docs", wide).toCompletableFuture().join();
      Map<String, ShardPlacement> now = placed("docs", 3, 2);
      for (int k = 0; k < 3; k++) {
        assertNotEquals(now.get("docs/" + k).actualNode(), now.get("docs/" + k + "/r1").actualNode());
      }
      return null;
    });
  }

  /** The placements of {@code index}, by entity id, once every replica runs where it should. */
  private Map<String, ShardPlacement> awaitPlaced(String index, int shards, int replicas) {
    return probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
      // Replicas start at their first search.
      service.search(index, request("rockets", null, null)).toCompletableFuture().join();
      return placed(index, shards, replicas);
    });
  }

  private Map<String, ShardPlacement> placed(String index, int shards, int replicas) {
    Map<String, ShardPlacement> byId = new HashMap<>();
    for (ShardPlacement p : service.shards().toCompletableFuture().join()) {
      if (p.index().equals(index)) {
        assertNotNull(p.desiredNode(), p.toString());
        assertEquals(p.desiredNode(), p.actualNode(), p.toString());
        byId.put(IndexShards.entityId(index, p.shard(), p.replica()), p);
      }
    }
    assertEquals(shards * replicas, byId.size(), byId.toString());
    return byId;
  }

  /** The shards the region of {@code node} hosts, from the region itself. */
  private static Set<String> regionShards(LeannNode node) {
    Set<String> ids = new HashSet<>();
    regionState(node).getShards().forEach(s -> ids.add(s.shardId()));
    return ids;
  }

  /** The entities the region of {@code node} runs now. */
  private static Set<String> regionEntities(LeannNode node) {
    Set<String> ids = new HashSet<>();
    regionState(node).getShards().forEach(s -> ids.addAll(s.getEntityIds()));
    return ids;
  }

  private static ShardRegion.CurrentShardRegionState regionState(LeannNode node) {
    return AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(node.system()).shardState(),
            replyTo -> new GetShardRegionState(IndexShards.TYPE_KEY, replyTo), Duration.ofSeconds(5),
            node.system().scheduler())
        .toCompletableFuture().join();
  }

  private JobStatus awaitDone(CompletionStage<JobStatus> submitted) {
    String id = submitted.toCompletableFuture().join().id();
    JobStatus end = probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(200), () -> {
      JobStatus s = service.job(id).toCompletableFuture().join();
      assertTrue(s.state().equals("done") || s.state().equals("failed"), s.toString());
      return s;
    });
    assertEquals("done", end.state(), end.error());
    return end;
  }

  /** Documents {@code from..to-1}: a few sentences on one of six topics, with topic and number. */
  private static List<DocumentIn> documents(int from, int to) {
    List<String> lines = List.of(
        "The rocket cleared the launch pad and climbed towards orbit, its engines loud over the coast.",
        "Simmer the tomatoes with garlic and olive oil until the sauce turns thick and sweet.",
        "The quartet rehearsed the slow movement twice before the evening concert.",
        "We reefed the mainsail as the wind freshened and the boat heeled on the open sea.",
        "The query planner chose an index scan because the predicate was selective.",
        "Tulips and daffodils bloom early in the spring borders of the old garden.");
    List<DocumentIn> docs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      int t = i % TOPICS.size();
      docs.add(new DocumentIn("Note " + i + " about " + TOPICS.get(t) + ". " + lines.get(t) + " Entry number "
          + i + " adds detail " + (i * 7 % 13) + ".", Map.of("topic", TOPICS.get(t), "n", i)));
    }
    return docs;
  }

  private static SearchRequest request(String query, Map<String, Object> filters, Double vectorWeight) {
    return new SearchRequest(query, 5, 64, null, filters, vectorWeight);
  }

  private static void assertSame(List<SearchHit> expected, SearchResponse actual) {
    assertEquals(ids(expected), ids(actual));
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).score(), actual.results().get(i).score(), "score of " + expected.get(i).id());
      assertEquals(expected.get(i).text(), actual.results().get(i).text());
      assertEquals(expected.get(i).metadata(), actual.results().get(i).metadata());
    }
  }

  private static List<String> ids(List<SearchHit> hits) {
    return hits.stream().map(SearchHit::id).toList();
  }

  private static List<String> ids(SearchResponse response) {
    return response.results().stream().map(SearchResponse.Hit::id).toList();
  }

  /** The HTTP status a failed call carries. */
  private static int status(CompletionStage<?> call) {
    try {
      call.toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ApiException api) {
        return api.status();
      }
      throw e;
    } catch (ApiException e) {
      return e.status();
    }
    fail("expected the call to fail");
    return 0;
  }
}
