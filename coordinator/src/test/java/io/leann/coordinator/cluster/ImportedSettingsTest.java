package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.importer.EmbeddingMapping;
import io.leann.coordinator.importer.LeannImporter;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.local.SmallIndex;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.protocol.Metric;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.python.PythonLeannIndex;
import io.leann.protocol.testing.Fixtures;
import io.leann.shard.text.TextAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index's settings hold on every path: the Python LEANN's pruned index (no vectors, no PQ
 * codes), imported with {@code --max-seq-length 128} (how its vectors were made), answers the
 * fixture's queries with the same top 10 from the CLI's in-process search, from the standalone
 * server ({@link LocalLeannService}) and from a fresh one-node cluster in this JVM whose embed
 * worker runs the model at 128 tokens. The cluster's first search
 * of the cold index is one of them: it must answer, not time out while the shard loads and the
 * worker warms up. And an index built with {@code --pq-bytes} and {@code --hub-budget} keeps them
 * when the cluster ingests into it: the shard nodes build with the recipe its meta records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportedSettingsTest {
  private static final Config TEST = ConfigFactory.parseString("""
      pekko.loglevel = WARNING
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.run-by-actor-system-terminate = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      # The embed worker serves the 128-token index; the other index is embedded by the coordinator.
      leann.coordinator.local-embed-fallback = on
      leann.embed.pool-size = 1
      """).withFallback(ConfigFactory.load());
  private static final int K = 10;
  private static final int EF = 64;
  /**
   * The fixture's first queries: the CLI path recomputes every visited passage in process, with no
   * cache, so each query costs a few hundred model runs on the test machine's CPU.
   */
  private static final int QUERIES = 3;

  @TempDir
  static Path root;

  private Map<String, String> env;
  private LeannNode node;
  private LocalLeannService server;
  private List<String> queries;
  private List<List<String>> exact;

  @BeforeAll
  void importAndStart() throws Exception {
    env = Map.of("LEANN_INDEX_DIR", root.toString());
    Path fixtures = Fixtures.leannPython();
    queries = new ArrayList<>();
    exact = new ArrayList<>();
    JsonNode all = new ObjectMapper().readTree(fixtures.resolve("expected.json").toFile()).path("queries");
    for (int i = 0; i < QUERIES; i++) {
      JsonNode q = all.get(i);
      queries.add(q.path("query").asText());
      List<String> ids = new ArrayList<>();
      q.path("exact_top10_ids").forEach(id -> ids.add(id.asText()));
      exact.add(ids);
    }
    PythonLeannIndex source = PythonLeannIndex.locate(fixtures.resolve("leann-python-pruned/documents.leann"), root);
    EmbeddingMapping embedding = EmbeddingMapping.of(source.meta().embeddingMode(), source.meta().embeddingModel(),
        null, null).withMaxSeqLength(128);
    LeannImporter.run(source, new IndexRegistry(root).layout("mail"), false, embedding, env);
    buildTuned();
    server = new LocalLeannService(env);
    Config config = LeannNode.config("127.0.0.1", 0, LeannNode.ALL_ROLES, TEST);
    node = LeannNode.start(config, List.of(), env, () -> EmbedderFactory.create(null, null, env,
        Map.of(EmbedderFactory.MAX_SEQ_LENGTH, "128")), "tcp://127.0.0.1:0");
    node.whenUp().toCompletableFuture().join();
    // The coordinator registers the indexes it finds on disk in the background.
    for (String name : List.of("mail", "tuned")) {
      for (int i = 0; i < 600 && !registered(name); i++) {
        Thread.sleep(100);
      }
    }
  }

  private boolean registered(String name) {
    return node.service().index(name).toCompletableFuture().handle((info, failure) -> failure == null).join();
  }

  /** Index {@code tuned}, built as {@code leann build tuned --pq-bytes 8 --hub-budget 0.5} would (32 bytes by default). */
  private void buildTuned() throws Exception {
    Path docs = Files.createDirectories(root.resolve("tuned-docs"));
    for (Map.Entry<String, String> f : SmallIndex.FILES.entrySet()) {
      Files.writeString(docs.resolve(f.getKey()), f.getValue());
    }
    BuildRequest request = new BuildRequest(IndexLayout.of(root, "tuned"), List.of(docs), LoaderOptions.defaults(),
        ChunkingOptions.defaults(), "sentence-transformers", Metric.COSINE, 16, 64, 32, 1, true, true, 1, false, 32,
        List.of("tuned", "--docs", docs.toString()), 8, 0.5, TextAnalyzer.DEFAULT);
    try (Embedder embedder = EmbedderFactory.create(null, null, env)) {
      new IndexBuilder(embedder, Progress.silent()).build(request);
    }
  }

  @AfterAll
  void stop() {
    server.close();
    node.system().terminate();
    node.system().getWhenTerminated().toCompletableFuture().join();
  }

  @Test
  void cliServerAndClusterGiveTheSameTopTenWithTheImportsMaxSeqLength() throws Exception {
    IndexLayout layout = new IndexRegistry(root).layout("mail");
    IndexMeta meta = IndexMeta.read(layout.meta());
    assertEquals(128, meta.maxSeqLength());
    assertNull(meta.pqBytes(), "the Python index has no PQ codes");
    double found = 0;
    try (IndexSearcher cli = IndexSearcher.open(layout, env)) {
      for (int q = 0; q < queries.size(); q++) {
        List<String> local = cli.search(queries.get(q), K, EF, null, null).stream().map(SearchHit::id).toList();
        // The first of these searches is the cold one: shard load, worker connection, first recompute.
        SearchResponse clustered = node.service().search("mail", new SearchRequest(queries.get(q), K, EF, null,
            null, null)).toCompletableFuture().join();
        assertFalse(clustered.partial(), "query " + q + " answered partially: " + clustered);
        assertEquals(local, clustered.results().stream().map(SearchResponse.Hit::id).toList(), "query " + q);
        SearchResponse served = server.search("mail", new SearchRequest(queries.get(q), K, EF, null, null, null))
            .toCompletableFuture().join();
        assertEquals(local, served.results().stream().map(SearchResponse.Hit::id).toList(), "server, query " + q);
        found += local.stream().filter(exact.get(q)::contains).count();
      }
    }
    double recall = found / (K * QUERIES);
    assertTrue(recall >= 0.95, "recall@10 " + recall + " with the tokens the vectors were made with");
  }

  @Test
  void clusterIngestBuildsGraphsWithThePqBytesAndHubBudgetOfTheIndex() throws Exception {
    IndexLayout layout = IndexLayout.of(root, "tuned");
    String job = node.service().addDocuments("tuned", List.of(new DocumentIn(
        "A lighthouse keeper lights the lamp each night for the passing ships.", Map.of("doc", "light"))))
        .toCompletableFuture().join().id();
    JobStatus end = null;
    for (int i = 0; i < 1200 && (end == null || !Set.of("done", "failed").contains(end.state())); i++) {
      Thread.sleep(100);
      end = node.service().job(job).toCompletableFuture().join();
    }
    assertEquals("done", end.state(), end.toString());

    IndexMeta meta = IndexMeta.read(layout.meta());
    assertEquals(SmallIndex.FILES.size() + 1, meta.totalPassages());
    assertEquals(8, meta.pqBytes());
    assertEquals(0.5, meta.hubBudget());
    IndexMeta.Shard shard = meta.shards().getFirst();
    try (GraphFile graph = GraphFile.open(layout.resolve(shard.graph()))) {
      assertTrue(graph.header().pruned());
      assertEquals(8L * shard.count(), graph.requireSection(GraphSection.PQ_CODES).byteSize(), "8 code bytes per node");
      long hubs = graph.requireSection(GraphSection.HUB_NODES).byteSize() / Integer.BYTES;
      assertTrue(hubs > 0 && hubs <= shard.count() / 2, hubs + " hubs of " + shard.count() + " nodes");
    }
  }
}
