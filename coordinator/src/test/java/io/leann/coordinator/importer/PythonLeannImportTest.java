package io.leann.coordinator.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cli.LeannCli;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.LocalIndex;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.Embedder;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.python.PythonLeannIndex;
import io.leann.protocol.testing.Fixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leann import} on the indexes the Python LEANN's own tools wrote
 * (testdata/leann-python): registered in place and converted, searched with the given query
 * embeddings in stored-vector mode (full index) and in recompute mode through the local ONNX model
 * (pruned index), each returning expected.json's exact top 10.
 */
class PythonLeannImportTest {
  private static final int DIMS = 384;
  private static final int K = 10;
  private static final int EF = 64;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path fixtures;
  private static float[][] queries;
  private static List<List<String>> exact;
  private static List<String> queryTexts;
  /**
   * The fixture's vectors were computed with the shipped tokenizer's 128-token truncation, so
   * recomputation uses the same to reproduce them exactly (the default is sentence-transformers' 256).
   */
  private static OnnxEmbedder onnx;
  /**
   * The ONNX model behind a cache of passage embeddings: every query of a recompute search still
   * asks for its batches, but each of the 400 texts is run through the model once per test run
   * (CPU inference of ~8 000 passages would otherwise dominate the suite).
   */
  private static Embedder embedder;

  @TempDir Path tmp;

  @BeforeAll
  static void load() throws IOException {
    fixtures = Fixtures.leannPython();
    JsonNode expected = JSON.readTree(fixtures.resolve("expected.json").toFile());
    ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(fixtures.resolve("query_embeddings.f32")))
        .order(ByteOrder.LITTLE_ENDIAN);
    int n = expected.path("queries").size();
    queries = new float[n][DIMS];
    for (float[] q : queries) {
      raw.asFloatBuffer().get(q);
      raw.position(raw.position() + DIMS * Float.BYTES);
    }
    exact = new ArrayList<>();
    queryTexts = new ArrayList<>();
    for (JsonNode q : expected.path("queries")) {
      List<String> ids = new ArrayList<>();
      q.path("exact_top10_ids").forEach(id -> ids.add(id.asText()));
      exact.add(ids);
      queryTexts.add(q.path("query").asText());
    }
    onnx = OnnxEmbedder.create(new OnnxEmbedder.Options(2, 1, 128));
    embedder = new CachingEmbedder(onnx);
  }

  @AfterAll
  static void release() {
    onnx.close();
  }

  private record CachingEmbedder(Embedder model, Map<String, float[]> cache) implements Embedder {
    CachingEmbedder(Embedder model) {
      this(model, new java.util.concurrent.ConcurrentHashMap<>());
    }

    @Override
    public float[][] embed(List<String> texts) {
      List<String> missing = texts.stream().filter(t -> !cache.containsKey(t)).distinct().toList();
      if (!missing.isEmpty()) {
        float[][] fresh = model.embed(missing);
        for (int i = 0; i < fresh.length; i++) {
          cache.put(missing.get(i), fresh[i]);
        }
      }
      return texts.stream().map(t -> cache.get(t).clone()).toArray(float[][]::new);
    }

    @Override
    public int dimensions() {
      return model.dimensions();
    }

    @Override
    public String modelId() {
      return model.modelId();
    }

    @Override
    public int maxTokens() {
      return model.maxTokens();
    }
  }

  private IndexRegistry registry() {
    return new IndexRegistry(tmp.resolve("indexes"));
  }

  private IndexLayout importIndex(String fixture, String name, boolean convert) throws IOException {
    PythonLeannIndex source = PythonLeannIndex.locate(fixtures.resolve(fixture).resolve("documents.leann"), tmp);
    EmbeddingMapping embedding = EmbeddingMapping.of(source.meta().embeddingMode(), source.meta().embeddingModel(),
        null, null);
    LeannImporter.Outcome o = LeannImporter.run(source, registry().layout(name), convert, embedding, Map.of());
    assertEquals(400, o.passages());
    assertEquals(convert, o.converted());
    return registry().layout(name);
  }

  @Test
  void storedVectorSearchOfTheFullIndexRegisteredAndConverted() throws IOException {
    for (boolean convert : new boolean[] {false, true}) {
      try (LocalIndex index = LocalIndex.open(importIndex("leann-python-full", "full-" + convert, convert))) {
        assertTrue(index.hasVectors());
        assertTopTen(q -> index.search(queries[q], K, EF, null, null));
      }
    }
  }

  @Test
  void recomputeSearchOfThePrunedIndexRegisteredAndConverted() throws IOException {
    for (boolean convert : new boolean[] {false, true}) {
      try (LocalIndex index = LocalIndex.open(importIndex("leann-python-pruned", "pruned-" + convert, convert))) {
        assertFalse(index.hasVectors());
        assertThrows(IllegalStateException.class, () -> index.search(queries[0], K, EF, null, null));
        assertTopTen(q -> index.search(queries[q], K, EF, embedder, null));
      }
    }
  }

  @Test
  void convertedIndexReturnsWhatTheRegisteredOneReturns() throws IOException {
    try (LocalIndex registered = LocalIndex.open(importIndex("leann-python-full", "a", false));
        LocalIndex converted = LocalIndex.open(importIndex("leann-python-full", "b", true))) {
      for (float[] q : queries) {
        List<SearchHit> x = registered.search(q, K, EF, null, null);
        List<SearchHit> y = converted.search(q, K, EF, null, null);
        assertEquals(x, y);
      }
    }
    // passages copied byte for byte; ids kept, one per graph row
    Path gen = registry().layout("b").dir().resolve("gen-1");
    assertEquals(-1, Files.mismatch(gen.resolve(IndexLayout.PASSAGES),
        fixtures.resolve("leann-python-full/documents.leann.passages.jsonl")));
    List<String> ids = Files.readAllLines(gen.resolve("documents.ids.txt"));
    assertEquals(400, ids.size());
    assertEquals("399", ids.get(399));
  }

  @Test
  void passagesAndMetadataEqualTheJsonl() throws IOException {
    List<String> lines = Files.readAllLines(fixtures.resolve("leann-python-pruned/documents.leann.passages.jsonl"));
    for (boolean convert : new boolean[] {false, true}) {
      try (LocalIndex index = LocalIndex.open(importIndex("leann-python-pruned", "p" + convert, convert))) {
        assertEquals(lines.size(), index.passages().size());
        for (int row = 0; row < lines.size(); row++) {
          JsonNode line = JSON.readTree(lines.get(row));
          Passage p = index.passages().get(row);
          assertEquals(line.path("id").asText(), p.id());
          assertEquals(line.path("text").asText(), p.text());
          assertEquals(JSON.convertValue(line.path("metadata"), Map.class), p.metadata() == null ? Map.of() : p.metadata());
        }
      }
    }
  }

  @Test
  void cliImportsListsAndSearchesWithTheMappedModel() throws IOException {
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", tmp.resolve("indexes").toString());
    // a copy, so that the removal below could never reach the shared fixtures
    Path source = copyFixture("leann-python-full").resolve("documents.leann");
    assertEquals(0, cli(env, "import", source.toString(), "--name", "emails"), lastErr);
    assertTrue(lastOut.contains("Imported 'emails' (registered in place, read-only)"), lastOut);
    assertEquals(1, cli(env, "import", source.toString(), "--name", "emails"));
    assertTrue(lastErr.contains("already exists"), lastErr);
    assertEquals(0, cli(env, "list"));
    assertTrue(lastOut.contains("emails") && lastOut.contains("sentence-transformers/all-MiniLM-L6-v2"), lastOut);
    // The Python CLI's default name: the directory of documents.leann
    assertTrue(PythonLeannIndex.locate(source, tmp).name().startsWith("leann-python-full"));
    try (IndexSearcher searcher = IndexSearcher.open(registry().existing("emails"), env)) {
      List<SearchHit> hits = searcher.search(queryTexts.get(0), 3, EF, null, null);
      assertEquals(exact.get(0).get(0), hits.get(0).id());
    }
    // removing a registered import deletes our links, never the Python files
    assertEquals(0, cli(env, "remove", "emails", "--force"), lastErr);
    assertFalse(Files.exists(registry().layout("emails").dir()));
    for (String file : List.of("documents.leann.passages.jsonl", "documents.leann.passages.idx", "documents.index")) {
      assertTrue(Files.isRegularFile(source.resolveSibling(file)), file);
    }
  }

  @Test
  void theTokensPerTextTheIndexWasEmbeddedWithTravelInTheMeta() throws IOException {
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", tmp.resolve("indexes").toString());
    Path source = fixtures.resolve("leann-python-pruned/documents.leann");
    assertEquals(2, cli(env, "import", source.toString(), "--name", "bad", "--max-seq-length", "x"));
    assertEquals(0, cli(env, "import", source.toString(), "--name", "emails128", "--max-seq-length", "128"),
        lastErr);
    assertEquals("128", io.leann.protocol.index.IndexMeta.read(registry().layout("emails128").meta())
        .embeddingOptions().get("max_seq_length"));
    // A search opened from the meta alone recomputes the fixture's vectors: the exact top-10 of the
    // first two queries (each recomputes most of the 400 passages, so only two).
    try (IndexSearcher searcher = IndexSearcher.open(registry().existing("emails128"), env)) {
      for (int q = 0; q < 2; q++) {
        List<String> ids = searcher.search(queryTexts.get(q), K, EF, null, null).stream().map(SearchHit::id).toList();
        assertEquals(exact.get(q).get(0), ids.get(0), "top-1 of query " + q);
        assertTrue(exact.get(q).stream().filter(ids::contains).count() >= 9, "recall@10 of query " + q + ": " + ids);
      }
    }
  }

  /**
   * A Python LEANN meta's {@code embedding_options} (newer versions): the server and the prompt
   * template are carried over and honoured by search, the API key is dropped.
   */
  @Test
  void embeddingOptionsOfAPythonIndexAreHonouredExceptItsKey() throws IOException {
    Path copy = copyFixture("leann-python-full");
    Path metaFile = copy.resolve("documents.leann.meta.json");
    com.fasterxml.jackson.databind.node.ObjectNode meta = (com.fasterxml.jackson.databind.node.ObjectNode)
        JSON.readTree(metaFile.toFile());
    meta.putObject("embedding_options").put("host", "http://127.0.0.1:11434").put("prompt_template", "query: ")
        .put("api_key", "sk-PythonStoredKey1234567890");
    JSON.writeValue(metaFile.toFile(), meta);
    PythonLeannIndex source = PythonLeannIndex.locate(copy.resolve("documents.leann"), tmp);

    LeannImporter.run(source, registry().layout("templated"), false,
        new EmbeddingMapping("sentence-transformers", OnnxEmbedder.MODEL_ID), Map.of());

    String ours = Files.readString(registry().layout("templated").meta());
    assertEquals(Map.of("host", "http://127.0.0.1:11434", "prompt_template", "query: "),
        io.leann.protocol.index.IndexMeta.read(registry().layout("templated").meta()).embeddingOptions());
    assertFalse(ours.contains("PythonStoredKey"), ours);
    try (IndexSearcher searcher = IndexSearcher.open(registry().existing("templated"), Map.of())) {
      float[] templated = onnx.embed(List.of("query: coral reef"))[0];
      float[] plain = onnx.embed(List.of("coral reef"))[0];
      float[] used = searcher.embedQuery("coral reef");
      assertEquals(1.0, cosine(used, templated), 1e-4, "the query went to the model behind the recorded template");
      assertTrue(cosine(used, plain) < 0.999, "and the template changed the vector");
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  @Test
  void anUnknownModelSaysWhatToPass() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddingMapping.of("sentence-transformers", "facebook/contriever", null, null));
    assertTrue(e.getMessage().contains("facebook/contriever") && e.getMessage().contains("--embedding-mode")
        && e.getMessage().contains("--embedding-model"), e.getMessage());
    assertEquals(new EmbeddingMapping("ollama", "nomic-embed-text"),
        EmbeddingMapping.of("sentence-transformers", "nomic-ai/nomic-embed-text-v1.5", "ollama", "nomic-embed-text"));
    assertEquals(new EmbeddingMapping("sentence-transformers", "sentence-transformers/all-MiniLM-L6-v2"),
        EmbeddingMapping.of("sentence-transformers", "all-MiniLM-L6-v2", null, null));
  }

  @Test
  void idsTxtMapsGraphRowsToPassageIds() throws IOException {
    Path copy = copyFixture("leann-python-pruned");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add(String.valueOf(i));
    }
    Files.write(copy.resolve("documents.ids.txt"), ids);
    PythonLeannIndex source = PythonLeannIndex.locate(copy.resolve("documents.leann"), tmp);
    assertEquals(copy.resolve("documents.ids.txt"), source.ids());
    LeannImporter.run(source, registry().layout("with-ids"), false,
        new EmbeddingMapping("sentence-transformers", OnnxEmbedder.MODEL_ID), Map.of());
    try (LocalIndex index = LocalIndex.open(registry().layout("with-ids"))) {
      assertEquals("gen-1/documents.ids.txt", index.meta().passageSources().get(0).idsPath());
      assertEquals("17", index.passages().id(17));
    }
    Files.write(copy.resolve("documents.ids.txt"), ids.subList(0, 399));
    IOException e = assertThrows(IOException.class, () -> LeannImporter.run(
        PythonLeannIndex.locate(copy.resolve("documents.leann"), tmp), registry().layout("short-ids"), false,
        new EmbeddingMapping("sentence-transformers", OnnxEmbedder.MODEL_ID), Map.of()));
    assertTrue(e.getMessage().contains("lists 399 ids"), e.getMessage());
    assertFalse(Files.exists(registry().layout("short-ids").dir()), "a failed import leaves nothing behind");
  }

  @Test
  void existingNamesAreNotOverwritten() throws IOException {
    importIndex("leann-python-full", "taken", false);
    assertThrows(FileAlreadyExistsException.class, () -> importIndex("leann-python-pruned", "taken", true));
  }

  /**
   * Truncated and bit-flipped copies of each file of both indexes: reading them (meta, pickle,
   * jsonl with every row, FAISS graph) either works, for damage no format can detect (a flipped bit
   * inside a passage text or a vector), or fails with the reader's own error naming the file.
   */
  @Test
  void damagedFilesFailWithTheReadersOwnError() throws IOException {
    java.util.Random random = new java.util.Random(7);
    for (String fixture : List.of("leann-python-full", "leann-python-pruned")) {
      for (String file : List.of("documents.leann.meta.json", "documents.leann.passages.idx",
          "documents.leann.passages.jsonl", "documents.index")) {
        byte[] original = Files.readAllBytes(fixtures.resolve(fixture).resolve(file));
        int detected = 0;
        int cases = 0;
        for (int c = 0; c < 40; c++) {
          byte[] damaged;
          if (c < 15) {
            damaged = java.util.Arrays.copyOf(original, c < 5 ? c * 3 : random.nextInt(original.length));
          } else {
            damaged = original.clone();
            int at = c < 28 ? random.nextInt(Math.min(original.length, 256)) : random.nextInt(original.length);
            damaged[at] ^= (byte) (1 << random.nextInt(8));
          }
          Path copy = copyFixture(fixture);
          Files.write(copy.resolve(file), damaged);
          cases++;
          detected += readAll(copy, copy.resolve(file)) ? 0 : 1;
        }
        assertTrue(detected >= 15, fixture + "/" + file + ": only " + detected + " of " + cases + " detected");
      }
    }
  }

  /** True if every file of the index read cleanly; false if the reader refused {@code damaged}. */
  private boolean readAll(Path dir, Path damaged) {
    try {
      PythonLeannIndex source = PythonLeannIndex.locate(dir.resolve("documents.leann"), tmp);
      try (var passages = source.ids() == null
          ? io.leann.protocol.passages.PassageStore.open(source.passages(), source.offsets())
          : io.leann.protocol.passages.PassageStore.open(source.passages(), source.offsets(), source.ids());
          var graph = io.leann.shard.faiss.FaissIndex.open(source.graph(),
              io.leann.protocol.Metric.parse(source.meta().distanceMetric()))) {
        for (long r = 0; r < passages.size(); r++) {
          passages.get(r);
        }
        var recomputer = new io.leann.coordinator.search.EmbedderRecomputer(embedder, passages, 0, graph.metric());
        io.leann.shard.search.ShardSearch.search(graph,
            io.leann.shard.search.SearchPlan.choose(graph, !graph.hasVectors(), K, EF, null, null), queries[0],
            recomputer, recomputer, null);
      }
      return true;
    } catch (IndexFormatException e) {
      assertTrue(e.getMessage().contains(damaged.toString()), "names the file: " + e.getMessage());
      return false;
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(damaged + ": not the reader's own error", e);
    }
  }

  private Path copyFixture(String fixture) throws IOException {
    Path copy = Files.createTempDirectory(tmp, fixture);
    try (Stream<Path> files = Files.list(fixtures.resolve(fixture))) {
      for (Path f : files.toList()) {
        Files.write(copy.resolve(f.getFileName()), Files.readAllBytes(f));
      }
    }
    return copy;
  }

  private interface Search {
    List<SearchHit> run(int query) throws IOException;
  }

  private static void assertTopTen(Search search) throws IOException {
    int hits = 0;
    for (int q = 0; q < queries.length; q++) {
      List<String> ids = search.run(q).stream().map(SearchHit::id).toList();
      assertEquals(exact.get(q).get(0), ids.get(0), "top-1 of query " + q);
      hits += (int) exact.get(q).stream().filter(ids::contains).count();
    }
    double recall = hits / (double) (K * queries.length);
    assertTrue(recall >= 0.9, "recall@10 " + recall);
  }

  private String lastOut = "";
  private String lastErr = "";

  private int cli(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    lastOut = out.toString();
    lastErr = err.toString();
    return code;
  }
}
