package io.leann.shard.actor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.protocol.Metric;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import io.leann.shard.filter.MetadataColumns;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.recompute.ZmqRecomputer;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.search.SearchPlan;
import io.leann.shard.search.Searches;
import io.leann.shard.search.ShardSearch;
import io.leann.shard.vector.ArrayVectors;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.ZContext;

/**
 * The shard actor against the engine it wraps, on indexes written into a temporary
 * {@code LEANN_INDEX_DIR}: stored-vector and filtered searches must return exactly what
 * {@link HnswIndex} and {@link FilteredSearchPlanner} return on the same files.
 */
class ShardActorTest {
  private static final int DIMS = 16;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.loglevel = WARNING
      leann.shard.search-dispatcher {
        type = Dispatcher
        executor = "thread-pool-executor"
        thread-pool-executor.fixed-pool-size = 2
      }
      leann.shard.build-dispatcher {
        type = Dispatcher
        executor = "thread-pool-executor"
        thread-pool-executor.fixed-pool-size = 1
      }
      """);
  private static final ActorTestKit testKit = ActorTestKit.create(CONFIG);
  private static final ZContext zmq = new ZContext(1);
  private static final ActorRef<EmbedDirectory.Command> directory =
      testKit.spawn(EmbedDirectory.create(Duration.ofSeconds(3)));

  @TempDir
  Path root;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    zmq.close();
  }

  private ShardSettings settings() {
    return new ShardSettings(root, "leann.shard.search-dispatcher", "leann.shard.build-dispatcher", 100,
        900 * 1024, Duration.ofSeconds(3), Duration.ofSeconds(3), ZmqRecomputer.Options.defaults());
  }

  private ActorRef<ShardActor.Command> shard(String index, int k) {
    return testKit.spawn(ShardActor.create(IndexShards.entityId(index, k), settings(), directory, zmq,
        new ShardMetrics(new SimpleMeterRegistry())));
  }

  @Test
  void searchesEqualTheGraphSearchOfTheSameShard() throws IOException {
    float[][] vectors = vectors(300, 7);
    writeIndex(root.resolve("docs"), 1, vectors, 2, Metric.L2);
    Path genDir = root.resolve("docs/gen-1");
    ActorRef<ShardActor.Command> shard1 = shard("docs", 1);
    TestProbe<ShardActor.SearchReply> probe = testKit.createTestProbe();
    try (HnswIndex graph = HnswIndex.load(genDir.resolve("documents.shard-1.index"));
        PassageStore passages = store(genDir)) {
      for (int q = 0; q < 5; q++) {
        float[] query = vectors(1, 100 + q)[0];
        shard1.tell(new ShardActor.Search(query, 10, 40, null, null, "gen-1/passages.jsonl", null,
            probe.getRef()));
        ShardActor.Hits hits = (ShardActor.Hits) probe.receiveMessage(Duration.ofSeconds(10));
        SearchResult expected = Searches.stored(graph, query, 10, 40);
        assertEquals(1, hits.shard());
        assertFalse(hits.recompute());
        // The engine's work counters travel with the hits, for the coordinator's metrics.
        Map<String, Long> work = new HashMap<>(hits.stats());
        Map<String, Long> expectedWork = new HashMap<>(expected.stats().toMap());
        for (String timing : List.of("graph_us", "recompute_us")) {
          assertTrue(work.remove(timing) >= 0);
          expectedWork.remove(timing);
        }
        assertEquals(expectedWork, work);
        assertTrue(hits.stats().get("nodes_visited") > 0, hits.stats().toString());
        assertEquals(expected.size(), hits.hits().size());
        for (int i = 0; i < expected.size(); i++) {
          ShardHit h = hits.hits().get(i);
          long row = 150 + expected.nodes()[i];
          assertEquals(row, h.row());
          assertEquals(expected.distances()[i], h.distance());
          assertEquals(Metric.L2.toScore(expected.distances()[i]), h.score());
          Passage p = passages.get(row);
          assertEquals(p.id(), h.id());
          assertEquals(p.text(), h.text());
          assertEquals(p.metadata(), h.metadataMap());
        }
      }
    }
  }

  @Test
  void filtersDuringTraversalLikeThePlanner() throws IOException {
    float[][] vectors = vectors(400, 11);
    writeIndex(root.resolve("tagged"), 1, vectors, 1, Metric.COSINE);
    Path genDir = root.resolve("tagged/gen-1");
    Map<String, Object> spec = Map.of("group", Map.of("==", 3));
    TestProbe<ShardActor.SearchReply> probe = testKit.createTestProbe();
    float[] query = vectors(1, 5)[0];
    shard("tagged", 0).tell(new ShardActor.Search(query, 8, 32, false, JSON.valueToTree(spec), null, null,
        probe.getRef()));
    ShardActor.Hits hits = (ShardActor.Hits) probe.receiveMessage(Duration.ofSeconds(10));
    try (HnswIndex graph = HnswIndex.load(genDir.resolve("documents.shard-0.index"));
        PassageStore passages = store(genDir)) {
      BitSet matches = MetadataColumns.build(passages).matching(MetadataFilter.of(spec));
      SearchResult expected = ShardSearch.search(graph, SearchPlan.choose(graph, false, 8, 32, matches, null), query,
          null, null, null);
      assertEquals(8, hits.hits().size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.nodes()[i], hits.hits().get(i).row());
        assertEquals(3, hits.hits().get(i).metadataMap().get("group"));
      }
    }
  }

  @Test
  void reloadsWhenTheIndexMovesToANewGeneration() throws IOException {
    writeIndex(root.resolve("moving"), 1, vectors(100, 1), 1, Metric.L2);
    ActorRef<ShardActor.Command> shard = shard("moving", 0);
    TestProbe<ShardActor.SearchReply> probe = testKit.createTestProbe();
    float[] query = vectors(1, 2)[0];
    shard.tell(new ShardActor.Search(query, 3, 16, null, null, null, null, probe.getRef()));
    assertEquals("gen-1/passages.jsonl", ((ShardActor.Hits) probe.receiveMessage()).generation());

    writeIndex(root.resolve("moving"), 2, vectors(120, 3), 1, Metric.L2);
    // Without a generation the loaded one is good enough: no meta read per search.
    shard.tell(new ShardActor.Search(query, 3, 16, null, null, null, null, probe.getRef()));
    assertEquals("gen-1/passages.jsonl", ((ShardActor.Hits) probe.receiveMessage()).generation());
    shard.tell(new ShardActor.Search(query, 3, 16, null, null, "gen-2/passages.jsonl", null, probe.getRef()));
    ShardActor.Hits reloaded = (ShardActor.Hits) probe.receiveMessage(Duration.ofSeconds(10));
    assertEquals("gen-2/passages.jsonl", reloaded.generation());
    assertTrue(reloaded.hits().stream().allMatch(h -> h.text().startsWith("g2 ")));
  }

  @Test
  void preloadAcksOnceTheGenerationIsLoadedAndWarm() throws IOException {
    writeIndex(root.resolve("warm"), 1, vectors(80, 5), 1, Metric.L2);
    ActorRef<ShardActor.Command> shard = shard("warm", 0);
    TestProbe<StatusReply<Done>> acks = testKit.createTestProbe();
    shard.tell(new ShardActor.Preload(null, acks.getRef()));
    assertTrue(acks.receiveMessage(Duration.ofSeconds(10)).isSuccess());
    // Loaded already: a preload of the same generation is answered at once.
    shard.tell(new ShardActor.Preload("gen-1/passages.jsonl", acks.getRef()));
    assertTrue(acks.receiveMessage(Duration.ofSeconds(1)).isSuccess());

    // A preload of the next generation loads it: the next search without a generation searches it.
    writeIndex(root.resolve("warm"), 2, vectors(90, 6), 1, Metric.L2);
    shard.tell(new ShardActor.Preload("gen-2/passages.jsonl", acks.getRef()));
    assertTrue(acks.receiveMessage(Duration.ofSeconds(10)).isSuccess());
    TestProbe<ShardActor.SearchReply> probe = testKit.createTestProbe();
    shard.tell(new ShardActor.Search(vectors(1, 2)[0], 3, 16, null, null, null, null, probe.getRef()));
    assertEquals("gen-2/passages.jsonl", ((ShardActor.Hits) probe.receiveMessage(Duration.ofSeconds(10))).generation());

    shard("nowhere", 0).tell(new ShardActor.Preload(null, acks.getRef()));
    StatusReply<Done> missing = acks.receiveMessage(Duration.ofSeconds(10));
    assertTrue(missing.isError());
    assertTrue(missing.getError().getMessage().contains("not found"), missing.getError().getMessage());
  }

  @Test
  void refusesWhatItCannotAnswer() throws IOException {
    TestProbe<ShardActor.SearchReply> probe = testKit.createTestProbe();
    float[] query = vectors(1, 2)[0];
    // A passage altered on disk: the shard refuses as corrupt, naming the file inside the index.
    writeIndex(root.resolve("altered"), 1, vectors(50, 4), 1, Metric.L2);
    Path jsonl = root.resolve("altered/gen-1/passages.jsonl");
    byte[] bytes = Files.readAllBytes(jsonl);
    bytes[bytes.length - 5] ^= 1;
    Files.write(jsonl, bytes);
    shard("altered", 0).tell(new ShardActor.Search(query, 50, 64, null, null, null, null, probe.getRef()));
    ShardActor.Failed corrupt = (ShardActor.Failed) probe.receiveMessage(Duration.ofSeconds(10));
    assertTrue(corrupt.corrupt(), corrupt.reason());
    assertTrue(corrupt.reason().startsWith("index 'altered' is corrupt: gen-1/passages.jsonl: row 49 fails its checksum"),
        corrupt.reason());
    assertFalse(corrupt.reason().contains(root.toString()), corrupt.reason());
    shard("absent", 0).tell(new ShardActor.Search(query, 3, 16, null, null, null, null, probe.getRef()));
    ShardActor.Failed missing = (ShardActor.Failed) probe.receiveMessage(Duration.ofSeconds(10));
    assertFalse(missing.badRequest());
    assertTrue(missing.reason().contains("not found"), missing.reason());

    writeIndex(root.resolve("small"), 1, vectors(50, 4), 1, Metric.L2);
    ActorRef<ShardActor.Command> shard = shard("small", 0);
    shard.tell(new ShardActor.Search(query, 3, 16, null, JSON.valueToTree(Map.of("group", Map.of("~~", 1))),
        null, null, probe.getRef()));
    assertTrue(((ShardActor.Failed) probe.receiveMessage(Duration.ofSeconds(10))).badRequest());
    // Recompute needs an embed worker for the index's model, and there is none.
    shard.tell(new ShardActor.Search(query, 3, 16, true, null, null, null, probe.getRef()));
    ShardActor.Failed noWorker = (ShardActor.Failed) probe.receiveMessage();
    assertFalse(noWorker.badRequest());
    assertTrue(noWorker.reason().contains("no embed worker"), noWorker.reason());
    shard("small", 3).tell(new ShardActor.Search(query, 3, 16, null, null, null, null, probe.getRef()));
    assertTrue(((ShardActor.Failed) probe.receiveMessage()).reason().contains("no shard 3"));
  }

  @Test
  void buildsTheGraphTheCliWouldBuild() throws IOException {
    float[][] vectors = vectors(200, 21);
    Path dir = Files.createDirectories(root.resolve("built/gen-1"));
    Path embeddings = dir.resolve("embeddings.f32");
    ByteBuffer bytes = ByteBuffer.allocate(200 * DIMS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      bytes.asFloatBuffer().put(v);
      bytes.position(bytes.position() + DIMS * Float.BYTES);
    }
    Files.write(embeddings, bytes.array());
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    shard("built", 1).tell(new ShardActor.BuildGraph("gen-1/embeddings.f32", 120, 80, DIMS,
        "gen-1/documents.shard-1.index", new GraphBuild("l2", 16, 64, 1, true, false, null, 0), probe.getRef()));
    assertTrue(probe.receiveMessage(Duration.ofSeconds(30)).isSuccess());

    float[][] slice = java.util.Arrays.copyOfRange(vectors, 120, 200);
    HnswParams params = new HnswParams(Metric.L2, 16, 64, 1, HnswParams.DEFAULT_SEED);
    try (HnswIndex expected = HnswIndex.build(ArrayVectors.copyOf(slice, false), params,
            new HnswIndex.BuildOptions(true, null, true));
        HnswIndex built = HnswIndex.load(dir.resolve("documents.shard-1.index"))) {
      assertEquals(80, built.size());
      float[] query = vectors(1, 9)[0];
      assertArrayEquals(Searches.stored(expected, query, 10, 32).nodes(), Searches.stored(built, query, 10, 32).nodes());
    }
    shard("built", 2).tell(new ShardActor.BuildGraph("gen-1/embeddings.f32", 150, 80, DIMS,
        "gen-1/documents.shard-2.index", new GraphBuild("l2", 16, 64, 1, true, false, null, 0), probe.getRef()));
    assertTrue(probe.receiveMessage(Duration.ofSeconds(30)).isError());
  }

  @Test
  void buildsWithTheIndexsPqBytesAndHubBudget() throws IOException {
    Path dir = Files.createDirectories(root.resolve("recipe/gen-1"));
    writeEmbeddings(dir.resolve("embeddings.f32"), vectors(300, 23));
    TestProbe<StatusReply<Done>> probe = testKit.createTestProbe();
    // 4 PQ bytes and a quarter of the embeddings as hubs, where the defaults would be 1 byte and none
    shard("recipe", 0).tell(new ShardActor.BuildGraph("gen-1/embeddings.f32", 0, 300, DIMS,
        "gen-1/documents.index", new GraphBuild("l2", 16, 64, 1, true, true, 4, 0.25), probe.getRef()));
    assertTrue(probe.receiveMessage(Duration.ofSeconds(60)).isSuccess());
    try (GraphFile file = GraphFile.open(dir.resolve("documents.index"))) {
      assertTrue(file.header().pruned());
      assertFalse(file.header().hasVectors());
      assertEquals(300L * 4, file.requireSection(GraphSection.PQ_CODES).byteSize(), "4 code bytes per node");
      // the budget pays for each hub's vector and its node id
      long spent = file.requireSection(GraphSection.HUB_VECTORS).byteSize()
          + file.requireSection(GraphSection.HUB_NODES).byteSize();
      long budget = 300L * DIMS * Float.BYTES / 4;
      assertTrue(spent <= budget && spent > budget - (DIMS + 1) * Float.BYTES,
          spent + " bytes of hubs for a budget of " + budget);
    }
  }

  private static void writeEmbeddings(Path file, float[][] vectors) throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(vectors.length * DIMS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] v : vectors) {
      for (float x : v) {
        bytes.putFloat(x);
      }
    }
    Files.write(file, bytes.array());
  }

  /** Seeded vectors in [-1, 1). */
  static float[][] vectors(int n, long seed) {
    Random random = new Random(seed);
    float[][] out = new float[n][DIMS];
    for (float[] v : out) {
      for (int d = 0; d < DIMS; d++) {
        v[d] = random.nextFloat() * 2 - 1;
      }
    }
    return out;
  }

  private static PassageStore store(Path genDir) throws IOException {
    return PassageStore.open(genDir.resolve("passages.jsonl"), genDir.resolve("passages.idx"));
  }

  /**
   * Writes generation {@code gen} of an index with stored vectors, {@code shards} contiguous shards,
   * passages {@code "g<gen> passage <i>"} with metadata {@code group = i % 7}, and commits its meta.
   */
  static void writeIndex(Path dir, int gen, float[][] vectors, int shards, Metric metric)
      throws IOException {
    Path genDir = Files.createDirectories(dir.resolve("gen-" + gen));
    try (PassageWriter writer = PassageWriter.create(genDir.resolve("passages.jsonl"),
        genDir.resolve("passages.idx"), genDir.resolve("ids.txt"))) {
      for (int i = 0; i < vectors.length; i++) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("group", i % 7);
        writer.append(new Passage("p" + i, "g" + gen + " passage " + i, metadata));
      }
      writer.commit();
    }
    List<IndexMeta.Shard> entries = new ArrayList<>();
    int n = vectors.length;
    for (int k = 0; k < shards; k++) {
      int from = n * k / shards;
      int to = n * (k + 1) / shards;
      float[][] slice = java.util.Arrays.copyOfRange(vectors, from, to);
      HnswParams params = new HnswParams(metric, 16, 64, 1, HnswParams.DEFAULT_SEED);
      String graph = "gen-" + gen + "/documents.shard-" + k + ".index";
      try (HnswIndex index = HnswIndex.build(ArrayVectors.copyOf(slice, false), params,
          HnswIndex.BuildOptions.withVectors())) {
        index.save(dir.resolve(graph));
      }
      String ids = "gen-" + gen + "/ids-" + k + ".txt";
      StringBuilder lines = new StringBuilder();
      for (int i = from; i < to; i++) {
        lines.append('p').append(i).append('\n');
      }
      Files.writeString(dir.resolve(ids), lines);
      entries.add(new IndexMeta.Shard(k, graph, ids, from, to - from));
    }
    new IndexMeta("1.0", "hnsw", "test-model", DIMS, Map.of(), "test", null,
        List.of(new IndexMeta.PassageSource("jsonl", "gen-" + gen + "/passages.jsonl",
            "gen-" + gen + "/passages.idx")),
        true, false, n, IndexMeta.FORMAT_VERSION, metric.leannName(), entries)
        .write(dir.resolve(IndexFiles.META));
  }
}
