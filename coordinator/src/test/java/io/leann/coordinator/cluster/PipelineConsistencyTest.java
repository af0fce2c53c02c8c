package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cli.LeannCli;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.testing.Fixtures;
import io.leann.shard.actor.IndexShards;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's acceptance for the one build pipeline: the same documents (real e-mails of the
 * Python LEANN fixture, the shipped all-MiniLM-L6-v2) built three ways, by {@code leann build} from
 * files, by the standalone server ({@link LocalLeannService}) from API documents, and by a 3-node
 * in-JVM cluster (chunk on the coordinator, embed on the embed node, graphs on the shard nodes)
 * from the same API documents, give the same passages (ids and texts; the server's and the
 * cluster's also the same metadata: the document's own), the same index settings in the meta, and
 * the same top 10 for 20 queries, each searched through its own host.
 *
 * <p>The indexes keep their vectors ({@code --no-recompute}) and are searched with a beam wider
 * than the corpus, so the top 10 depends only on the passages and their embeddings, not on which
 * graph a multi-threaded build happened to draw.
 */
class PipelineConsistencyTest {
  private static final int DOCUMENTS = 40;
  private static final int K = 10;
  /** Wider than the corpus: the search visits every passage. */
  private static final int EF = 128;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  @Test
  void cliServerAndClusterBuildTheSamePassagesAndAnswerAlike() throws Exception {
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", root.resolve("indexes").toString(),
        "HOME", root.toString());
    List<String> mails = mails();
    List<String> queries = queries(mails);
    List<DocumentIn> documents = new ArrayList<>();
    Path docs = Files.createDirectories(root.resolve("docs"));
    for (int i = 0; i < DOCUMENTS; i++) {
      String name = String.format(Locale.ROOT, "mail-%03d.txt", i);
      Files.writeString(docs.resolve(name), mails.get(i));
      documents.add(new DocumentIn(mails.get(i), Map.of("mail", name)));
    }

    StringWriter err = new StringWriter();
    int exit = LeannCli.run(env, new PrintWriter(new StringWriter()), new PrintWriter(err), "build", "cli",
        "--docs", docs.toString(), "--no-recompute", "--shards", "2");
    assertEquals(0, exit, err.toString());

    IndexSettings settings = new IndexSettings(null, null, "cosine", 2, true, false, 32);
    try (LocalLeannService server = new LocalLeannService(env)) {
      server.createIndex("server", settings).toCompletableFuture().join();
      awaitDone(server, server.addDocuments("server", documents).toCompletableFuture().join());

      List<LeannNode> nodes = new ArrayList<>();
      try {
        LeannNode coordinator = InJvmNodes.start(Set.of(ClusterLeannService.ROLE, IndexShards.ROLE), List.of(), env);
        nodes.add(coordinator);
        nodes.add(InJvmNodes.start(Set.of(IndexShards.ROLE), List.of(coordinator.address()), env));
        nodes.add(InJvmNodes.start(Set.of(IndexShards.ROLE, LeannNode.EMBED_ROLE), List.of(coordinator.address()), env));
        InJvmNodes.awaitMembers(coordinator, 3);
        ClusterLeannService cluster = coordinator.service();
        cluster.createIndex("cluster", settings).toCompletableFuture().join();
        awaitDone(cluster, cluster.addDocuments("cluster", documents).toCompletableFuture().join());

        IndexLayout cli = IndexLayout.of(root.resolve("indexes"), "cli");
        IndexLayout api = IndexLayout.of(root.resolve("indexes"), "server");
        IndexLayout clustered = IndexLayout.of(root.resolve("indexes"), "cluster");
        List<Passage> fromCli = passages(cli);
        List<Passage> fromServer = passages(api);
        List<Passage> fromCluster = passages(clustered);
        assertEquals(fromServer, fromCluster, "the server's and the cluster's passages, metadata included");
        assertEquals(idsAndTexts(fromCli), idsAndTexts(fromServer), "the CLI's and the server's passages");
        Map<String, Object> cliSettings = settings(cli);
        // The hosts fed over the API keep an embedding copy (each job changes a few documents); a
        // CLI build by default does not. Everything else is the same.
        assertNull(cliSettings.put(IndexMeta.EMBEDDING_COPY, "float32"), "a CLI build keeps no embedding copy");
        assertEquals(cliSettings, settings(api), "the CLI's and the server's index settings");
        assertEquals(settings(api), settings(clustered), "the server's and the cluster's index settings");

        try (IndexSearcher searcher = IndexSearcher.open(cli, env)) {
          for (String q : queries) {
            List<String> viaCli = searcher.search(q, K, EF, null, null).stream().map(SearchHit::id).toList();
            assertEquals(K, viaCli.size());
            assertEquals(viaCli, top(server, "server", q), "server, query: " + q);
            assertEquals(viaCli, top(cluster, "cluster", q), "cluster, query: " + q);
          }
        }
      } finally {
        nodes.reversed().forEach(InJvmNodes::stop);
      }
    }
  }

  /** The first {@value #DOCUMENTS} + 10 e-mails of the fixture, in row order. */
  private static List<String> mails() throws Exception {
    Path jsonl = Fixtures.leannPython().resolve("leann-python-pruned/documents.leann.passages.jsonl");
    List<String> texts = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null && texts.size() < DOCUMENTS + 10; line = r.readLine()) {
        texts.add(JSON.readTree(line).path("text").asText());
      }
    }
    return texts;
  }

  /** The fixture's 10 queries and the subject lines of 10 e-mails that are not in the corpus. */
  private static List<String> queries(List<String> mails) throws Exception {
    List<String> queries = new ArrayList<>();
    JsonNode expected = JSON.readTree(Fixtures.leannPython().resolve("expected.json").toFile()).path("queries");
    expected.forEach(q -> queries.add(q.path("query").asText()));
    for (int i = DOCUMENTS; i < DOCUMENTS + 10; i++) {
      queries.add(mails.get(i).lines().findFirst().orElseThrow());
    }
    return queries;
  }

  private static void awaitDone(LeannService service, JobStatus queued) throws InterruptedException {
    JobStatus job = queued;
    for (int i = 0; i < 2400 && !Set.of("done", "failed").contains(job.state()); i++) {
      Thread.sleep(50);
      job = service.job(queued.id()).toCompletableFuture().join();
    }
    assertEquals("done", job.state(), job.toString());
    assertEquals(DOCUMENTS, job.documents());
  }

  private static List<String> top(LeannService service, String index, String query) {
    SearchResponse found = service.search(index, new SearchRequest(query, K, EF, null, null, null))
        .toCompletableFuture().join();
    assertFalse(found.partial(), found.toString());
    return found.results().stream().map(SearchResponse.Hit::id).toList();
  }

  private static List<Passage> passages(IndexLayout layout) throws Exception {
    IndexMeta meta = IndexMeta.read(layout.meta());
    List<Passage> all = new ArrayList<>();
    try (PassageStore store = PassageStore.open(layout.resolve(meta.passageSources().get(0).path()),
        layout.resolve(meta.passageSources().get(0).indexPath()))) {
      for (long r = 0; r < store.size(); r++) {
        all.add(store.get(r));
      }
    }
    return all;
  }

  private static List<List<String>> idsAndTexts(List<Passage> passages) {
    return passages.stream().map(p -> List.of(p.id(), p.text())).toList();
  }

  /** What the meta records about how the index was built, but the host's graph threads. */
  private static Map<String, Object> settings(IndexLayout layout) throws Exception {
    IndexMeta meta = IndexMeta.read(layout.meta());
    Map<String, Object> s = new LinkedHashMap<>(meta.backendKwargs());
    s.remove("num_threads");
    s.put("model", meta.embeddingModel());
    s.put("mode", meta.embeddingMode());
    s.put("options", meta.embeddingOptions());
    s.put("dimensions", meta.dimensions());
    s.put("metric", meta.metric());
    s.put("compact", meta.compact());
    s.put("pruned", meta.pruned());
    s.put("passages", meta.totalPassages());
    s.put("shards", meta.shards().stream().map(sh -> List.of(sh.firstRow(), sh.count())).toList());
    return s;
  }
}
