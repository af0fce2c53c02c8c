package io.leann.coordinator.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.coordinator.api.InternalDetails;
import io.leann.coordinator.api.Json;
import io.leann.coordinator.rag.Passage;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Python LEANN's MCP tools over a {@link LeannService} (local indexes or a cluster):
 * {@code leann_list}, and {@code leann_search(index_name, query, top_k, complexity)} with the rest
 * of the search API's fields ({@code recompute}, {@code metadata_filters}, {@code vector_weight}
 * for hybrid search, the two-level knobs) under the HTTP API's names and checks.
 *
 * <p>Results are text for the model to read: each passage under the same heading the ReAct agent
 * shows ({@link Passage#heading}), its full text below. Failures are results with
 * {@code isError}, their message the API's (which names the bad field or the unknown index).
 * Calls are asynchronous, so the HTTP endpoint never blocks a thread on a search. Thread-safe
 * when the service is.
 */
public final class LeannTools {
  static final String LIST = "leann_list";
  static final String SEARCH = "leann_search";

  private static final Logger log = LoggerFactory.getLogger(LeannTools.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A tool as {@code tools/list} describes it; {@code inputSchema} is a JSON Schema object. */
  record Tool(String name, String description, ObjectNode inputSchema) {}

  /** A tool's outcome: text for the model, and whether it is a failure. */
  record Result(String text, boolean isError) {}

  private final LeannService service;
  private final Duration timeout;

  /** @param timeout how long one tool call may wait for the service */
  public LeannTools(LeannService service, Duration timeout) {
    this.service = service;
    this.timeout = timeout;
  }

  List<Tool> list() {
    ObjectNode noArguments = NODES.objectNode().put("type", "object");
    noArguments.putObject("properties");
    return List.of(
        new Tool(LIST, "List the LEANN indexes available to search, with their size, embedding model and "
            + "storage mode.", noArguments),
        new Tool(SEARCH, "Search a LEANN index for the passages that best match a natural-language query. "
            + "Returns the passages, best first, each with its score and source file.", searchSchema()));
  }

  /** Whether there is a tool called {@code name}. */
  boolean has(String name) {
    return LIST.equals(name) || SEARCH.equals(name);
  }

  /**
   * Runs tool {@code name}, which {@link #has} must know. The stage never fails: the service's
   * refusals, failures and a call over the timeout become error results.
   */
  CompletionStage<Result> call(String name, ObjectNode arguments) {
    CompletionStage<Result> outcome;
    try {
      outcome = SEARCH.equals(name) ? search(arguments) : service.indexes().thenApply(LeannTools::listing);
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(new Result(InternalDetails.stripped(e.getMessage()), true));
    }
    return outcome.toCompletableFuture()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(LeannTools::failure);
  }

  private static Result failure(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (cause instanceof ApiException api) {
      return new Result(InternalDetails.stripped(api.getMessage()), true);
    }
    if (cause instanceof TimeoutException) {
      return new Result("no answer within the tool call timeout", true);
    }
    log.warn("MCP tool call failed", cause);
    return new Result("the call failed; the server log has the details", true);
  }

  private static Result listing(List<IndexInfo> indexes) {
    if (indexes.isEmpty()) {
      return new Result("No indexes yet. Build one with: leann build <name> --docs <paths>", false);
    }
    StringBuilder out = new StringBuilder(indexes.size() + " indexes:\n");
    for (IndexInfo i : indexes) {
      out.append("- ").append(i.name()).append(": ").append(i.passages()).append(" passages, ")
          .append(i.model()).append(" (").append(i.dimensions()).append("-d, ").append(i.metric()).append("), ")
          .append(i.recompute() ? "pruned, embeddings recomputed at search" : "embeddings stored")
          .append(i.shards() > 1 ? ", " + i.shards() + " shards" : "").append(", ").append(i.status()).append('\n');
    }
    return new Result(out.toString().strip(), false);
  }

  /** @throws ApiException for bad arguments, before the service is asked */
  private CompletionStage<Result> search(ObjectNode arguments) {
    if (!arguments.path("index_name").isTextual() || arguments.get("index_name").asText().isBlank()) {
      throw ApiException.badRequest("index_name", "is required and must be a non-blank string");
    }
    String index = arguments.get("index_name").asText();
    ObjectNode fields = arguments.deepCopy();
    fields.remove("index_name");
    SearchRequest request = Json.read(fields, SearchRequest.class).validated();
    return service.search(index, request).thenApply(response -> found(index, request, response));
  }

  private static Result found(String index, SearchRequest request, SearchResponse response) {
    List<SearchResponse.Hit> hits = response.results();
    StringBuilder out = new StringBuilder();
    out.append(hits.isEmpty() ? "No passages" : hits.size() + (hits.size() == 1 ? " passage" : " passages"))
        .append(" for \"").append(request.query()).append("\" in index '").append(index).append("'");
    if (response.partial()) {
      out.append(" (partial: shards ").append(response.missingShards()).append(" did not answer)");
    }
    out.append('\n');
    int rank = 1;
    for (SearchResponse.Hit hit : hits) {
      Passage p = Passage.of(hit);
      out.append('\n').append(p.heading(rank++)).append('\n').append(p.text().strip()).append('\n');
    }
    return new Result(out.toString().strip(), false);
  }

  private static ObjectNode searchSchema() {
    ObjectNode schema = NODES.objectNode().put("type", "object");
    ObjectNode p = schema.putObject("properties");
    p.putObject("index_name").put("type", "string").put("description", "Index to search (see leann_list).");
    p.putObject("query").put("type", "string").put("description", "What to look for, in natural language.");
    p.putObject("top_k").put("type", "integer").put("minimum", 1).put("maximum", 1000).put("default", 5)
        .put("description", "Passages to return.");
    p.putObject("complexity").put("type", "integer").put("minimum", 1).put("maximum", 10_000)
        .put("description", "Search beam width (ef); larger is more accurate and slower. Default: the index's.");
    p.putObject("recompute").put("type", "boolean")
        .put("description", "Recompute embeddings of visited passages; default: only for pruned indexes.");
    p.putObject("metadata_filters").put("type", "object").put("description",
        "LEANN metadata filter, e.g. {\"file_name\": {\"contains\": \"report\"}}; operators ==, !=, <, <=, >, >=, "
            + "in, not_in, contains, starts_with, ends_with, is_true, is_false.");
    p.putObject("vector_weight").put("type", "number").put("minimum", 0).put("maximum", 1).put("description",
        "Hybrid search: weight of the dense scores against BM25 keyword scores; omit for dense only.");
    schema.putArray("required").add("index_name").add("query");
    return schema;
  }
}
