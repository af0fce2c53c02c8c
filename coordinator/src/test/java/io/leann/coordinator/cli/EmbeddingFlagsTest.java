package io.leann.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.testing.OllamaEmbeddingsStub;
import io.leann.coordinator.testing.OpenAiEmbeddingsStub;
import io.leann.protocol.testing.SecretLeaks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --embedding-api-base}, {@code --embedding-api-key}, {@code --embedding-host} and the prompt
 * templates, end to end through the CLI against OpenAI- and Ollama-shaped servers on 127.0.0.1 that
 * record what they receive: the build sends templated passages with the key, the meta records the
 * server and the templates and never the key, and a later search with nothing set finds the same
 * server and sends the templated query (recomputed passages templated as at build).
 */
class EmbeddingFlagsTest {
  static final String KEY = "lk-Build0Key7c21b8e64d05a1c2f3";
  static final String SEARCH_KEY = "lk-Search0Key5e1d9a0b7c3f4e2";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  OpenAiEmbeddingsStub openAi;
  Path docs;
  Map<String, String> baseEnv;

  @BeforeEach
  void start() throws Exception {
    openAi = OpenAiEmbeddingsStub.start();
    docs = Files.createDirectories(work.resolve("docs"));
    Files.writeString(docs.resolve("reef.txt"), "Coral reefs bleach when the sea warms.");
    Files.writeString(docs.resolve("tide.txt"), "Tides follow the moon twice a day.");
    Files.writeString(docs.resolve("bread.txt"), "Sourdough needs a starter and a long proof.");
    baseEnv = Map.of("LEANN_INDEX_DIR", work.resolve("indexes").toString(), "HOME", work.toString());
  }

  @AfterEach
  void stop() {
    openAi.close();
  }

  @Test
  void buildSendsTemplatedPassagesWithTheKeyAndRecordsEverythingButTheKey() throws Exception {
    Run build = run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-mode", "openai",
        "--embedding-model", "stub-embed", "--embedding-api-base", openAi.baseUrl(), "--embedding-api-key", KEY,
        "--embedding-prompt-template", "passage: ", "--query-prompt-template", "query: ");

    assertEquals(0, build.code, build.err);
    assertTrue(texts(openAi).contains("passage: Coral reefs bleach when the sea warms."),
        texts(openAi).toString());
    assertTrue(texts(openAi).stream().allMatch(t -> t.startsWith("passage: ")), texts(openAi).toString());
    assertTrue(openAi.receivedKeys().stream().allMatch(KEY::equals), "every request carried the flag's key");
    String metaText = Files.readString(meta("sea"));
    JsonNode options = JSON.readTree(metaText).path("embedding_options");
    assertEquals(openAi.baseUrl(), options.path("base_url").asText());
    assertEquals("passage: ", options.path("build_prompt_template").asText());
    assertEquals("query: ", options.path("query_prompt_template").asText());
    SecretLeaks.assertNoSecret(KEY, "the meta", metaText);
    SecretLeaks.assertNoSecret(KEY, "stdout", build.out);
    SecretLeaks.assertNoSecret(KEY, "stderr", build.err);
    SecretLeaks.assertNoSecret(KEY, "the build record", readAll(work.resolve("indexes")));

    openAi.clear();
    Map<String, String> env = new HashMap<>(baseEnv);
    env.put("OPENAI_API_KEY", SEARCH_KEY);
    Run search = run(env, "search", "sea", "coral", "--json");

    assertEquals(0, search.code, search.err);
    assertEquals("query: coral", texts(openAi).getFirst(), "the recorded server got the templated query");
    // The index is pruned (the default): the visited passages are recomputed, with the build's template.
    List<String> passages = texts(openAi).subList(1, texts(openAi).size());
    assertFalse(passages.isEmpty(), "a pruned index recomputes");
    assertTrue(passages.stream().allMatch(t -> t.startsWith("passage: ")), passages.toString());
    assertTrue(openAi.receivedKeys().stream().allMatch(SEARCH_KEY::equals), "the key came from the environment");
    assertEquals(3, JSON.readTree(search.out).size(), search.out);
  }

  @Test
  void mcpSearchUsesTheRecordedServerAndQueryTemplate() throws Exception {
    assertEquals(0, run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-mode", "openai",
        "--embedding-model", "stub-embed", "--embedding-api-base", openAi.baseUrl(),
        "--embedding-prompt-template", "passage: ", "--query-prompt-template", "query: ").code);
    openAi.clear();
    String session = String.join("\n",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"leann_search\","
            + "\"arguments\":{\"index_name\":\"sea\",\"query\":\"sourdough\",\"top_k\":1}}}") + "\n";
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(baseEnv, new java.io.ByteArrayInputStream(session.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        new PrintWriter(out, true), new PrintWriter(err, true), "mcp");

    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("bread.txt"), out.toString());
    assertEquals("query: sourdough", texts(openAi).getFirst());
    assertTrue(texts(openAi).stream().skip(1).allMatch(t -> t.startsWith("passage: ")), texts(openAi).toString());
  }

  @Test
  void recomputedScoresEqualStoredOnesBecauseRecomputeUsesThePassageTemplate() throws Exception {
    String[] common = {"--docs", docs.toString(), "--embedding-mode", "openai", "--embedding-model", "stub-embed",
        "--embedding-api-base", openAi.baseUrl(), "--embedding-prompt-template", "passage: "};
    assertEquals(0, run(baseEnv, concat(new String[] {"build", "pruned"}, common)).code);
    assertEquals(0, run(baseEnv, concat(new String[] {"build", "stored", "--no-recompute", "--no-compact"}, common)).code);

    JsonNode pruned = JSON.readTree(run(baseEnv, "search", "pruned", "tides", "--json", "--recompute").out);
    JsonNode stored = JSON.readTree(run(baseEnv, "search", "stored", "tides", "--json", "--no-recompute").out);

    assertEquals(3, pruned.size());
    for (int i = 0; i < pruned.size(); i++) {
      assertEquals(stored.get(i).path("id").asText(), pruned.get(i).path("id").asText());
      assertEquals(stored.get(i).path("score").asDouble(), pruned.get(i).path("score").asDouble(), 1e-5);
    }
    // A single template applies to queries too, as in the Python LEANN.
    assertTrue(texts(openAi).contains("passage: tides"), texts(openAi).toString());
  }

  @Test
  void precedenceIsFlagThenEnvironmentThenMeta() throws Exception {
    // Three passages are too few for a PQ sized to the corpus; an explicit one lets --no-recompute
    // search the codes, so the query is the only text embedded.
    assertEquals(0, run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-mode", "openai",
        "--embedding-model", "stub-embed", "--embedding-api-base", openAi.baseUrl(), "--pq-bytes", "1").code);
    try (OpenAiEmbeddingsStub viaEnv = OpenAiEmbeddingsStub.start();
        OpenAiEmbeddingsStub viaFlag = OpenAiEmbeddingsStub.start()) {
      Map<String, String> env = new HashMap<>(baseEnv);
      env.put("OPENAI_BASE_URL", viaEnv.baseUrl());
      openAi.clear();

      assertEquals(0, run(env, "search", "sea", "bread", "--no-recompute").code);
      assertEquals(List.of("bread"), texts(viaEnv), "the environment beats the meta");

      Run flagged = run(env, "search", "sea", "bread", "--no-recompute", "--embedding-api-base", viaFlag.baseUrl(),
          "--query-prompt-template", "search_query: ");
      assertEquals(0, flagged.code, flagged.err);
      assertEquals(List.of("search_query: bread"), texts(viaFlag), "the flags beat the environment");
      assertEquals(List.of(), texts(openAi), "the recorded server was overridden both times");
    }
  }

  @Test
  void ollamaHostIsRecordedAndUsedBySearch() throws Exception {
    try (OllamaEmbeddingsStub ollama = OllamaEmbeddingsStub.start()) {
      Run build = run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-mode", "ollama",
          "--embedding-model", "stub-embed", "--embedding-host", ollama.host(), "--query-prompt-template", "query: ",
          "--pq-bytes", "1");
      assertEquals(0, build.code, build.err);
      JsonNode options = JSON.readTree(meta("sea").toFile()).path("embedding_options");
      assertEquals(ollama.host(), options.path("host").asText());
      assertTrue(options.path("build_prompt_template").isMissingNode(), "no passage template was given");
      assertTrue(texts(ollama).contains("Tides follow the moon twice a day."), "passages go as they are");

      int before = texts(ollama).size();
      Run search = run(baseEnv, "search", "sea", "moon", "--no-recompute");
      assertEquals(0, search.code, search.err);
      assertEquals(List.of("query: moon"), texts(ollama).subList(before, texts(ollama).size()));
    }
  }

  @Test
  void aFlagTheModeCannotUseIsRefused() throws Exception {
    Run build = run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-host", "http://127.0.0.1:9");

    assertEquals(2, build.code);
    assertTrue(build.err.contains("--embedding-host applies to embedding mode ollama, not to sentence-transformers"),
        build.err);
    assertFalse(Files.exists(work.resolve("indexes").resolve("sea")), "nothing was built");
  }

  @Test
  void anIndexWithoutTemplatesRecordsNoEmbeddingOptions() throws Exception {
    assertEquals(0, run(baseEnv, "build", "sea", "--docs", docs.toString(), "--embedding-mode", "openai",
        "--embedding-model", "stub-embed", "--embedding-api-key", KEY, "--embedding-api-base", openAi.baseUrl()).code);
    JsonNode options = JSON.readTree(meta("sea").toFile()).path("embedding_options");
    assertEquals(List.of("base_url"), fieldNames(options));
    assertNull(JSON.readTree(meta("sea").toFile()).get("api_key"));
  }

  /** What was embedded, without the probe a remote embedder sends once to learn the dimensions. */
  private static List<String> texts(OpenAiEmbeddingsStub server) {
    return withoutProbe(server.receivedInputs());
  }

  private static List<String> texts(OllamaEmbeddingsStub server) {
    return withoutProbe(server.receivedInputs());
  }

  private static List<String> withoutProbe(List<String> inputs) {
    return inputs.stream().filter(t -> !t.equals("dummy")).toList();
  }

  private Path meta(String name) {
    return work.resolve("indexes").resolve(name).resolve("documents.leann.meta.json");
  }

  private static String readAll(Path dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        all.append(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }
}
