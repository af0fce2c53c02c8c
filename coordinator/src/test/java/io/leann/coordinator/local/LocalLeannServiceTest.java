package io.leann.coordinator.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.build.Progress;
import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.protocol.api.ShardPlacement;
import io.leann.protocol.index.IndexMeta;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LocalLeannService} without HTTP: validation of settings, what a file-built index allows,
 * placement answers of a single process, job progress, and that a build committed next to a
 * running service (as {@code leann build} would) is picked up by the next search.
 */
class LocalLeannServiceTest {
  @TempDir static Path root;
  static Path docs;
  static LocalLeannService service;

  @BeforeAll
  static void start() throws Exception {
    docs = SmallIndex.build(root, "files");
    service = new LocalLeannService(Map.of("LEANN_INDEX_DIR", root.toString()));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void describesAFileBuiltIndex() {
    IndexInfo info = service.index("files").toCompletableFuture().join();
    assertEquals(SmallIndex.FILES.size(), info.passages());
    assertEquals(2, info.shards());
    assertEquals(384, info.dimensions());
    assertEquals("cosine", info.metric());
    assertTrue(info.recompute());
    assertEquals("ready", info.status());
    List<ShardPlacement> shards = service.shards().toCompletableFuture().join();
    assertEquals(
        List.of(new ShardPlacement("files", 0, "local", "local", "standalone: one node"),
            new ShardPlacement("files", 1, "local", "local", "standalone: one node")),
        shards.stream().filter(s -> s.index().equals("files")).toList());
  }

  @Test
  void rejectsBadSettingsNamingTheField() {
    assertBadRequest("metric", service.createIndex("m", settings("hamming", null, null)));
    assertBadRequest("shards", service.createIndex("m", settings(null, 0, null)));
    assertBadRequest("graph_degree", service.createIndex("m", settings(null, null, 1)));
    ApiException model = failure(service.createIndex("m",
        new IndexSettings(null, "bert-large", null, null, null, null, null)));
    assertEquals(400, model.status());
    assertTrue(model.getMessage().contains("bert-large"), model.getMessage());
    assertEquals(400, failure(service.createIndex("../escape", null)).status());
    assertFalse(Files.exists(root.resolve("m")), "a rejected index leaves nothing on disk");
  }

  @Test
  void createdIndexIsEmptyUntilDocumentsArrive() {
    IndexInfo info = service.createIndex("fresh", null).toCompletableFuture().join();
    assertEquals(
        new IndexInfo("fresh", 0, 1, "sentence-transformers/all-MiniLM-L6-v2", 384, "cosine", true, true, "empty"),
        info);
    assertEquals(409, failure(service.createIndex("fresh", null)).status());
    SearchResponse none = service.search("fresh", query("anything")).toCompletableFuture().join();
    assertTrue(none.results().isEmpty());
    service.deleteIndex("fresh").toCompletableFuture().join();
    assertEquals(404, failure(service.index("fresh")).status());
  }

  @Test
  void fileBuiltIndexTakesNoDocumentsAndSingleProcessMovesNoShards() {
    ApiException add = failure(service.addDocuments("files", List.of(new DocumentIn("x", null))));
    assertEquals(409, add.status());
    assertTrue(add.getMessage().contains("leann build"), add.getMessage());
    ApiException move = failure(service.moveShard("files", 1, "pekko://leann@127.0.0.1:2552"));
    assertEquals(400, move.status());
    assertEquals("not_a_cluster", move.code());
    assertEquals(404, failure(service.moveShard("files", 2, "pekko://leann@127.0.0.1:2552")).status());
    assertEquals("not_a_cluster", failure(service.rebalance("files")).code());
    assertEquals(404, failure(service.rebalance("nope")).status());
    assertEquals(404, failure(service.job("job-0-0")).status());
  }

  @Test
  void searchSeesABuildCommittedNextToTheService() throws Exception {
    Path extra = Files.createTempDirectory(root, "extra");
    for (Map.Entry<String, String> f : SmallIndex.FILES.entrySet()) {
      Files.writeString(extra.resolve(f.getKey()), f.getValue());
    }
    SmallIndex.rebuild(root, "growing", extra);
    SearchRequest glacier = query("glacier ice melting into the fjord");
    SearchResponse before = service.search("growing", glacier).toCompletableFuture().join();
    assertFalse(before.results().getFirst().text().contains("glacier"));

    Files.writeString(extra.resolve("glacier.txt"), "A glacier is a river of ice that carves a fjord as it melts.");
    SmallIndex.rebuild(root, "growing", extra);
    SearchResponse after = service.search("growing", glacier).toCompletableFuture().join();
    assertEquals("glacier.txt", after.results().getFirst().metadata().get("file_name"));
  }

  @Test
  void jobProgressFollowsTheBuildStages() {
    IngestJob job = new IngestJob("job-1-1", "x", 3, 1, 0);
    assertEquals("queued", job.status().state());
    job.running();
    Progress progress = job.progress();
    progress.stage("embed", 40);
    assertEquals(new JobStatus("job-1-1", "x", "running", "embed", 0, 40, null, 3, null, null, null), job.status());
    progress.update(12);
    assertEquals(12, job.status().done());
    progress.done("40 chunks embedded");
    assertEquals(40, job.status().done());
    progress.stage("graph 1/2", 20);
    assertEquals("graph 1/2", job.status().stage());
    job.ended(job.end("done", null, 50L, 40L, 0L));
    assertEquals(new JobStatus("job-1-1", "x", "done", "publish", 50, 50, null, 3, 40L, 0L,
        "added 40 passages from 3 documents"), job.status());
    assertFalse(job.active());
  }

  @Test
  void aDeleteJobSaysHowManyPassagesItRemoved() {
    IngestJob job = new IngestJob("job-1-2", "x", 0, 2, 0);
    job.running();
    job.ended(job.end("done", null, 42L, 0L, 8L));
    assertEquals(8L, job.status().passagesRemoved());
    assertEquals("removed 8 passages", job.status().result());
    IngestJob none = new IngestJob("job-1-3", "x", 0, 3, 0);
    none.ended(none.end("done", null, 50L, 0L, 0L));
    assertEquals(new JobStatus("job-1-3", "x", "done", "publish", 50, 50, null, 0, 0L, 0L,
        "the filter matched no passage: nothing changed"), none.status());
  }

  private static IndexSettings settings(String metric, Integer shards, Integer degree) {
    return new IndexSettings(null, null, metric, shards, null, null, degree);
  }

  @Test
  void anAlteredPassageIsIndexCorruptForTheServiceAndTheCli() throws Exception {
    Path copy = root.resolve("altered");
    try (var files = Files.walk(root.resolve("files"))) {
      for (Path p : files.toList()) {
        Path target = copy.resolve(root.resolve("files").relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    String relative = io.leann.protocol.index.IndexMeta.read(copy.resolve("documents.leann.meta.json"))
        .passageSources().get(0).path();
    Path jsonl = copy.resolve(relative);
    byte[] bytes = Files.readAllBytes(jsonl);
    bytes[20] ^= 0x02;
    Files.write(jsonl, bytes);
    String expected = "index 'altered' is corrupt: " + relative + ": row 0 fails its checksum";

    CompletionException e = assertThrows(CompletionException.class, () -> service.search("altered",
        new SearchRequest("kittens", SmallIndex.FILES.size(), null, null, null, null)).toCompletableFuture().join());
    ApiException corrupt = assertInstanceOf(ApiException.class, e.getCause());
    assertEquals(500, corrupt.status());
    assertEquals("index_corrupt", corrupt.code());
    assertTrue(corrupt.getMessage().startsWith(expected), corrupt.getMessage());
    assertFalse(corrupt.getMessage().contains(root.toString()), corrupt.getMessage());

    java.io.StringWriter err = new java.io.StringWriter();
    int exit = io.leann.coordinator.cli.LeannCli.run(Map.of("LEANN_INDEX_DIR", root.toString()),
        new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err), "search", "altered",
        "kittens", "--top-k", String.valueOf(SmallIndex.FILES.size()));
    assertEquals(1, exit, err.toString());
    assertTrue(err.toString().startsWith("leann: " + expected), err.toString());
  }

  @Test
  void theTextAnalyzerIsChosenAtCreationAndRecordedInTheMeta() throws Exception {
    assertBadRequest("text_analyzer", service.createIndex("m",
        new IndexSettings(null, null, null, null, null, null, null, null, "klingon")));
    service.createIndex("kanji", new IndexSettings(null, null, null, null, null, null, null, null, "cjk"))
        .toCompletableFuture().join();
    awaitDone(service.addDocuments("kanji", List.of(
        new DocumentIn("我们在东京大学学习计算机科学。", Map.of("city", "tokyo")),
        new DocumentIn("今日は京都で寿司を食べました。", Map.of("city", "kyoto")),
        new DocumentIn("Bread is baked with yeast, flour and water.", Map.of("city", "none")))));
    IndexMeta meta = IndexMeta.read(root.resolve("kanji").resolve(IndexLayout.META));
    assertEquals("cjk", meta.textAnalyzer());
    // Pure keyword ranking: the bigram 京都 is in the Kyoto sentence only.
    SearchResponse kyoto = service.search("kanji", new SearchRequest("京都", 3, null, null, null, 0.0))
        .toCompletableFuture().join();
    assertEquals("kyoto", kyoto.results().getFirst().metadata().get("city"));

    // Later jobs update the keyword index in place (an addition, then a deletion that moves rows):
    // it must still rank as one built afresh from the passages.
    awaitDone(service.addDocuments("kanji", List.of(new DocumentIn("京都の寺は秋に美しい。", Map.of("city", "kyoto")))));
    JobStatus removed = awaitDone(service.deleteDocuments("kanji", Map.of("city", Map.of("==", "none"))));
    assertEquals(1L, removed.passagesRemoved(), removed.toString());
    FreshKeywords.assertRanksAsAFreshBuild(IndexLayout.of(root, "kanji"), root, List.of("京都", "寿司", "东京"));
  }

  private static JobStatus awaitDone(CompletionStage<JobStatus> submitted) throws InterruptedException {
    JobStatus job = submitted.toCompletableFuture().join();
    for (int i = 0; i < 600 && !List.of("done", "failed").contains(job.state()); i++) {
      Thread.sleep(100);
      job = service.job(job.id()).toCompletableFuture().join();
    }
    assertEquals("done", job.state(), job.toString());
    return job;
  }

  private static SearchRequest query(String text) {
    return new SearchRequest(text, 1, null, null, null, null);
  }

  private static void assertBadRequest(String field, CompletionStage<?> stage) {
    ApiException e = failure(stage);
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
  }

  private static ApiException failure(CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    return assertInstanceOf(ApiException.class, e.getCause());
  }
}
