package io.leann.coordinator.embedded;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.api.Json;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.rag.ChatModel;
import io.leann.coordinator.rag.ChatModels;
import io.leann.coordinator.rag.LlmConfig;
import io.leann.coordinator.rag.LlmProvider;
import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.RagAnswer;
import io.leann.coordinator.rag.RagChat;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.rag.react.ReactAgent;
import io.leann.coordinator.rag.react.ReactListener;
import io.leann.coordinator.rag.react.ReactResult;
import io.leann.coordinator.rag.react.SearchTool;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine of the drop-in Python package ({@code clients/python}, module {@code leann}), called
 * in-process through JPype: the Python LEANN's index-path API over {@link LocalLeannService}.
 * Arguments and results are JSON strings, so the Python side needs no Java types.
 *
 * <p><b>Paths.</b> The Python LEANN's index path {@code dir/my.leann} is our index directory
 * {@code dir/my.leann/}: the index named {@code my.leann} under the root {@code dir}. One
 * {@link LocalLeannService} serves each root, for the life of the JVM.
 *
 * <p><b>Metadata.</b> A hit's metadata is its document's own, plus {@code chunk_index} and
 * {@code chunk_count} when the document took several chunks; filters on it are applied by the
 * service's filtered search. The Python LEANN applies them to the top {@code top_k} only, so this
 * returns at least as many.
 *
 * <p>Thread-safe: the services are; the map of them is concurrent. Failures reach Python as Java
 * exceptions whose message says what was wrong ({@link ApiException}'s message names the field).
 */
public final class EmbeddedLeann {
  private static final ObjectMapper JSON = Json.mapper();
  private static final Map<Path, LocalLeannService> SERVICES = new ConcurrentHashMap<>();
  private static final long JOB_POLL_MILLIS = 50;
  private static final AtomicLong STAGING = new AtomicLong();

  static {
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(
        () -> SERVICES.values().forEach(LocalLeannService::close)));
  }

  private EmbeddedLeann() {}

  /**
   * Builds the index at {@code indexPath} anew from the documents, replacing one already there
   * (only an index: any other file or directory there is refused). One build per path at a time.
   *
   * @param documentsJson {@code [{"text": ..., "metadata": {...}}, ...]}
   * @param settingsJson {@link IndexSettings} as JSON ({@code embedding_mode}, {@code model},
   *     {@code metric}, {@code graph_degree}, {@code compact}, {@code recompute}); null fields take
   *     the service's defaults
   * @return the index as JSON ({@code IndexInfo}: passages, model, dimensions, ...)
   */
  public static String build(String indexPath, String documentsJson, String settingsJson)
      throws IOException, InterruptedException {
    List<DocumentIn> documents = JSON.readValue(documentsJson, new TypeReference<List<DocumentIn>>() {});
    IndexSettings settings = JSON.readValue(settingsJson, IndexSettings.class);
    Path path = path(indexPath);
    if (Files.exists(path) && !Files.isRegularFile(IndexLayout.of(path.getParent(), name(path)).meta())) {
      throw new IllegalArgumentException(path + " exists and is not a LEANN index; it is left alone, choose"
          + " another index path");
    }
    LocalLeannService service = service(path);
    // Built aside, then swapped in: a build refused or failed leaves the index there as it was.
    String staging = name(path) + ".building-" + ProcessHandle.current().pid() + "-" + STAGING.incrementAndGet();
    try {
      join(service.createIndex(staging, settings));
      JobStatus job = join(service.addDocuments(staging, documents));
      while (job.state().equals("queued") || job.state().equals("running")) {
        Thread.sleep(JOB_POLL_MILLIS);
        job = join(service.job(job.id()));
      }
      if (job.state().equals("failed")) {
        throw new IOException("building " + path + " failed: " + job.error());
      }
      Path replaced = path.resolveSibling(staging + ".replaced");
      if (Files.exists(path)) {
        Files.move(path, replaced, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(path.resolveSibling(staging), path, StandardCopyOption.ATOMIC_MOVE);
      IndexDirectory.deleteTree(replaced);
    } finally {
      IndexDirectory.deleteTree(path.resolveSibling(staging));
    }
    return JSON.writeValueAsString(join(service.index(name(path))));
  }

  /**
   * Searches the index at {@code indexPath}.
   *
   * @param optionsJson {@code top_k}, {@code complexity}, {@code recompute}, {@code metadata_filters},
   *     {@code vector_weight}, {@code recompute_budget}, {@code prune_ratio}, {@code batch_size}
   *     (the HTTP API's {@link SearchRequest}); nulls let the index decide
   * @return {@link SearchResponse} as JSON
   */
  public static String search(String indexPath, String query, String optionsJson) throws IOException {
    return JSON.writeValueAsString(find(path(indexPath), query, JSON.readValue(optionsJson, SearchRequest.class)));
  }

  /** The search of {@link #search}. */
  private static SearchResponse find(Path path, String query, SearchRequest o) {
    return join(service(path).search(name(path), new SearchRequest(query, o.topK(), o.complexity(), o.recompute(),
        o.metadataFilters(), o.vectorWeight(), o.recomputeBudget(), o.pruneRatio(), o.batchSize())));
  }

  /**
   * Answers {@code question} from the index at {@code indexPath} (retrieve, then one model call).
   *
   * @param llmConfigJson the Python LEANN's {@code llm_config}: {@code type}, {@code model},
   *     {@code host}, {@code base_url} (or {@code api_base}), {@code api_key}; null or {@code {}}
   *     picks a model as {@code leann ask} does
   * @param optionsJson {@code top_k} (default 5), {@code complexity} (default 64), {@code recompute},
   *     {@code metadata_filters}
   * @return the chat response as JSON: answer, sources, model, timing
   */
  public static String ask(String indexPath, String question, String llmConfigJson, String optionsJson)
      throws IOException {
    JsonNode o = JSON.readTree(optionsJson);
    Path path = path(indexPath);
    RagChat.Options options = RagChat.Options.defaults().withTopK(o.path("top_k").asInt(5))
        .withComplexity(o.path("complexity").asInt(64)).withRecompute(bool(o.get("recompute")));
    try (ChatModel model = model(llmConfigJson)) {
      RagAnswer answer = join(new RagChat(retriever(path, filters(o)), model, options)
          .ask(question, List.of(), token -> {}));
      return JSON.writeValueAsString(answer.toResponse());
    }
  }

  /**
   * Runs the ReAct agent over the index at {@code indexPath}.
   *
   * @param optionsJson {@code top_k} (default 5), {@code complexity} (default 32), {@code recompute},
   *     {@code metadata_filters}, {@code max_iterations} (default {@value ReactAgent#DEFAULT_MAX_ITERATIONS})
   * @return {@code {"answer", "model", "synthesized", "steps": [{thought, tool, input, observation}]}}
   */
  public static String react(String indexPath, String question, String llmConfigJson, String optionsJson)
      throws IOException {
    JsonNode o = JSON.readTree(optionsJson);
    Path path = path(indexPath);
    SearchTool tool = new SearchTool(retriever(path, filters(o)), o.path("top_k").asInt(5),
        o.path("complexity").asInt(32), bool(o.get("recompute")));
    try (ChatModel model = model(llmConfigJson)) {
      ReactAgent agent = new ReactAgent(model, List.of(tool),
          o.path("max_iterations").asInt(ReactAgent.DEFAULT_MAX_ITERATIONS), null);
      ReactResult result = agent.run(question, new ReactListener() {});
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("answer", result.answer());
      out.put("model", result.model());
      out.put("synthesized", result.synthesized());
      out.put("steps", result.steps());
      return JSON.writeValueAsString(out);
    }
  }

  /** Search for the chat and the agent, as {@link #search}. */
  private static Retriever retriever(Path path, Map<String, Object> metadataFilters) {
    return (query, topK, complexity, recompute) -> {
      try {
        SearchResponse found = find(path, query,
            new SearchRequest(query, topK, Math.max(topK, complexity), recompute, metadataFilters, null));
        return CompletableFuture.completedFuture(
            found.results().stream().map(h -> Passage.of(h.id(), h.score(), h.text(), h.metadata())).toList());
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }

  private static ChatModel model(String llmConfigJson) throws IOException {
    JsonNode c = llmConfigJson == null ? JSON.createObjectNode() : JSON.readTree(llmConfigJson);
    String type = text(c, "type");
    String base = text(c, "base_url") != null ? text(c, "base_url") : text(c, "api_base");
    LlmConfig config = new LlmConfig(type == null ? null : LlmProvider.parse(type), text(c, "model"),
        text(c, "host"), base, text(c, "api_key"));
    return ChatModels.fromEnvironment(System.getenv()).create(config);
  }

  private static Map<String, Object> filters(JsonNode options) {
    JsonNode f = options.get("metadata_filters");
    return f == null || f.isNull() ? null : JSON.convertValue(f, new TypeReference<Map<String, Object>>() {});
  }

  private static Path path(String indexPath) {
    if (indexPath == null || indexPath.isBlank()) {
      throw new IllegalArgumentException("the index path must not be empty");
    }
    Path path = Path.of(indexPath).toAbsolutePath().normalize();
    if (path.getParent() == null) {
      throw new IllegalArgumentException("the index path must not be the file system root");
    }
    return path;
  }

  private static String name(Path path) {
    return path.getFileName().toString();
  }

  /** The service of the directory holding the index; the process environment otherwise (model keys, hosts). */
  private static LocalLeannService service(Path index) {
    return SERVICES.computeIfAbsent(index.getParent(), root -> {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("LEANN_INDEX_DIR", root.toString());
      return new LocalLeannService(env);
    });
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
  }

  private static Boolean bool(JsonNode v) {
    return v == null || v.isNull() ? null : v.asBoolean();
  }

  /** The stage's value; its failure rethrown as what it was (an {@link ApiException} keeps its message). */
  private static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
