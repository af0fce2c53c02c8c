package io.leann.coordinator.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JavaType;
import io.leann.coordinator.api.Json;
import io.leann.coordinator.mcp.LeannTools;
import io.leann.coordinator.mcp.McpServer;
import io.leann.coordinator.rag.ChatModels;
import io.leann.protocol.LeannVersion;
import io.leann.protocol.RequestIds;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.DeleteRequest;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.NodeInfo;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.ShardPlacement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/**
 * The REST API over a {@link LeannService}: the same routes whether the service is the
 * single-process engine or the Pekko cluster.
 *
 * <pre>
 * scope  method and path                       body        answer
 * open   GET    /health                        200 {"status","detail"}
 * read   GET    /metrics                       200 Prometheus text ({@link HttpServer} passes it in)
 * read   GET    /indexes                       200 {"indexes":[IndexInfo]}
 * read   GET    /indexes/{name}                200 IndexInfo
 * write  PUT    /indexes/{name}   IndexSettings 201 IndexInfo (body optional: {} or none = defaults)
 * write  DELETE /indexes/{name}                200 {"index","deleted":true}
 * read   POST   /indexes/{name}/search  SearchRequest 200 SearchResponse
 * read   POST   /indexes/{name}/chat    ChatRequest   200 ChatResponse, or SSE with "stream": true ({@link ChatRoutes})
 * read   POST   /indexes/{name}/react   ReactRequest  200 ReactResponse, or SSE with "stream": true ({@link ReactRoutes})
 * read   POST   /mcp              JSON-RPC      200 JSON-RPC reply, or 202 (read-only MCP tools, {@link McpRoutes})
 * write  POST   /indexes/{name}/documents [DocumentIn] 202 JobStatus, Location: /jobs/{id}
 * write  POST   /indexes/{name}/documents/delete {"metadata_filters"} 202 JobStatus
 * write  GET    /jobs/{id}                     200 JobStatus
 * admin  GET    /admin/nodes                   200 {"nodes":[NodeInfo]}
 * admin  GET    /admin/shards                  200 {"shards":[ShardPlacement]}
 * admin  PUT    /admin/indexes/{name}/shards/{k}  {"node"} 200 ShardPlacement
 * admin  POST   /admin/indexes/{name}/rebalance       200 {"shards":[ShardPlacement]}
 * </pre>
 *
 * <p>The scope column is what {@link AccessControl} asks of the request's key (401 without a valid
 * one, 403 when its scope is too low); which scopes need a key at all is {@link ApiKeys#needsKey}.
 * A request with a body must say {@code Content-Type: application/json} (else 415
 * {@code unsupported_media_type}): a browser sends a cross-origin {@code text/plain} POST without
 * asking first, so accepting any type would let any web page write through a visitor's network.
 * An empty body needs no type. {@link Cors} adds cross-origin headers for configured origins only.
 * {@code POST .../documents} takes a bare JSON array of documents, as in the issue
 * ({@code [{"text": "...", "metadata": {...}}]}). Input the HTTP layer can check alone (JSON shape,
 * types, blank query, ranges, empty document list) is checked here, before the service sees it, so
 * both services answer it identically. Every failure is a JSON error ({@link ApiErrors}). Service
 * calls run with the request's {@code X-Request-Id} in the MDC ({@link RequestTelemetry}).
 */
public final class LeannRoutes extends AllDirectives {
  private static final JavaType DOCUMENTS =
      Json.mapper().getTypeFactory().constructCollectionType(List.class, DocumentIn.class);

  private final LeannService service;
  private final HttpSettings settings;
  private final ChatRoutes chat;
  private final ReactRoutes react;
  private final McpRoutes mcp;
  private final AccessControl access;
  private final Cors cors;
  private final ExceptionHandler exceptions = ApiErrors.exceptionHandler();
  private final RejectionHandler rejections = ApiErrors.rejectionHandler();

  /** Chat answered by the models the process environment configures ({@link ChatModels}). */
  public LeannRoutes(LeannService service, HttpSettings settings) {
    this(service, settings, new ChatRoutes(service, ChatModels.fromEnvironment(System.getenv())));
  }

  public LeannRoutes(LeannService service, HttpSettings settings, ChatRoutes chat) {
    this.service = service;
    this.settings = settings;
    this.chat = chat;
    this.react = chat.reactRoutes();
    this.access = new AccessControl(settings.keys());
    this.cors = new Cors(settings.corsOrigins());
    // A tool call gives up a second before the request would time out, so the client reads why.
    Duration toolTimeout = settings.requestTimeout().minusSeconds(1);
    this.mcp = new McpRoutes(new McpServer(new LeannTools(service,
        toolTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : toolTimeout), LeannVersion.VERSION));
  }

  /** {@code GET /health}. */
  public record Health(@JsonProperty("status") String status, @JsonProperty("detail") String detail) {}

  /** {@code GET /indexes}. */
  public record IndexList(@JsonProperty("indexes") List<IndexInfo> indexes) {}

  /** {@code DELETE /indexes/{name}}. */
  public record Deleted(@JsonProperty("index") String index, @JsonProperty("deleted") boolean deleted) {}

  /** {@code GET /admin/nodes}. */
  public record NodeList(@JsonProperty("nodes") List<NodeInfo> nodes) {}

  /** {@code GET /admin/shards} and the answer to a rebalance. */
  public record ShardList(@JsonProperty("shards") List<ShardPlacement> shards) {}

  /** Body of {@code PUT /admin/indexes/{name}/shards/{k}}. */
  public record MoveShard(@JsonProperty("node") String node) {}

  /** The whole API without {@code /metrics}, sealed: every request gets a response, every error is JSON. */
  public Route route() {
    return api(reject());
  }

  /**
   * The whole API, sealed, with {@code GET /metrics} answered by {@code metrics} under the same
   * access rules as the rest.
   */
  public Route route(Supplier<HttpResponse> metrics) {
    return api(path("metrics", () -> get(() -> read(() -> complete(metrics.get())))));
  }

  private Route api(Route metrics) {
    return withRequestTimeout(settings.requestTimeout(), this::timedOut, () ->
        cors.wrap(() ->
            withSizeLimit(settings.maxBodyBytes(), () ->
                handleExceptions(exceptions, () ->
                    handleRejections(rejections, () -> jsonBodiesOnly(() -> concat(
                        path("health", () -> get(this::health)),
                        new WebRoutes().route(),
                        metrics,
                        pathPrefix("indexes", this::indexes),
                        path(PathMatchers.segment("jobs").slash(PathMatchers.segment()), this::job),
                        path("mcp", () -> access.require(Scope.READ, mcp::route)),
                        pathPrefix("admin", () -> access.require(Scope.ADMIN, this::adminRoutes)))))))));
  }

  /** 415 for a request whose body is not declared JSON; see the class comment for why. */
  private Route jsonBodiesOnly(Supplier<Route> inner) {
    return extractRequest(request -> {
      var entity = request.entity();
      if (entity.isKnownEmpty() || entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return inner.get();
      }
      return complete(ApiErrors.response(415, "unsupported_media_type", "the request body must be JSON, sent with "
          + "'Content-Type: application/json' (got '" + entity.getContentType().mediaType() + "')"));
    });
  }

  private Route read(Supplier<Route> inner) {
    return access.require(Scope.READ, inner);
  }

  private Route write(Supplier<Route> inner) {
    return access.require(Scope.WRITE, inner);
  }

  private Route health() {
    return call(service::health, detail -> ok(new Health("ok", detail)));
  }

  private Route indexes() {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> read(() -> call(service::indexes, list -> ok(new IndexList(list)))))),
        pathPrefix(PathMatchers.segment(), name -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> read(() -> call(() -> service.index(name), this::ok))),
                put(() -> write(() -> optionalBody(IndexSettings.class,
                    new IndexSettings(null, null, null, null, null, null, null),
                    body -> call(() -> service.createIndex(name, body),
                        info -> complete(StatusCodes.CREATED, info, Json.marshaller()))))),
                delete(() -> write(() -> call(() -> service.deleteIndex(name), done -> ok(new Deleted(name, true))))))),
            path("search", () -> post(() -> read(() -> body(SearchRequest.class,
                request -> call(() -> service.search(name, request.validated()), this::ok))))),
            path("chat", () -> post(() -> read(() -> chat.route(name)))),
            path("react", () -> post(() -> read(() -> react.route(name)))),
            path("documents", () -> post(() -> write(() -> documents(docs ->
                call(() -> service.addDocuments(name, docs), this::accepted))))),
            path(PathMatchers.segment("documents").slash(PathMatchers.segment("delete")), () -> post(() ->
                write(() -> body(DeleteRequest.class, request -> call(
                    () -> service.deleteDocuments(name, request.metadataFilters()), this::accepted))))))));
  }

  /** 202 with the job and where to follow it. */
  private Route accepted(JobStatus job) {
    return complete(StatusCodes.ACCEPTED, List.<HttpHeader>of(Location.create("/jobs/" + job.id())), job,
        Json.marshaller());
  }

  private Route job(String id) {
    return get(() -> write(() -> call(() -> service.job(id), this::ok)));
  }

  private Route adminRoutes() {
    return concat(
        path("nodes", () -> get(() -> call(service::nodes, nodes -> ok(new NodeList(nodes))))),
        path("shards", () -> get(() -> call(service::shards, shards -> ok(new ShardList(shards))))),
        pathPrefix("indexes", () -> pathPrefix(PathMatchers.segment(), name -> concat(
            path(PathMatchers.segment("shards").slash(PathMatchers.segment()), shard -> put(() ->
                body(MoveShard.class, move -> call(
                    () -> service.moveShard(name, shardNumber(shard), node(move)), this::ok)))),
            path("rebalance", () -> post(() ->
                call(() -> service.rebalance(name), shards -> ok(new ShardList(shards)))))))));
  }

  /** Parses the body as {@code type}; a body over the limit becomes a 413 rejection. */
  private <T> Route body(Class<T> type, Function<T, Route> inner) {
    return entity(Unmarshaller.entityToByteString(), bytes -> inner.apply(Json.read(bytes, type)));
  }

  /** Like {@link #body}, with {@code absent} standing in for an empty body. */
  private <T> Route optionalBody(Class<T> type, T absent, Function<T, Route> inner) {
    return entity(Unmarshaller.entityToByteString(),
        bytes -> inner.apply(isBlank(bytes) ? absent : Json.read(bytes, type)));
  }

  private Route documents(Function<List<DocumentIn>, Route> inner) {
    return entity(Unmarshaller.entityToByteString(), bytes -> {
      List<DocumentIn> docs = Json.read(bytes, DOCUMENTS, "documents");
      if (docs.isEmpty()) {
        throw ApiException.badRequest("documents", "must hold at least one document");
      }
      for (int i = 0; i < docs.size(); i++) {
        DocumentIn d = docs.get(i);
        if (d == null) {
          throw ApiException.badRequest("documents[" + i + "]", "must be a JSON object with a \"text\"");
        }
        if (d.text() == null || d.text().isBlank()) {
          throw ApiException.badRequest("documents[" + i + "].text", "is required and must not be blank");
        }
      }
      return inner.apply(docs);
    });
  }

  private static boolean isBlank(ByteString bytes) {
    return bytes.utf8String().isBlank();
  }

  private static int shardNumber(String segment) {
    try {
      int k = Integer.parseInt(segment);
      if (k >= 0) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below with the value the client sent
    }
    throw ApiException.badRequest("shard", "must be a non-negative integer, got '" + segment + "'");
  }

  private static String node(MoveShard move) {
    if (move.node() == null || move.node().isBlank()) {
      throw ApiException.badRequest("node",
          "is required: the address of a shard node, e.g. pekko://leann@10.0.0.7:2552");
    }
    return move.node().strip();
  }

  /**
   * Calls the service with the request's id in the MDC ({@link RequestIds}): the service reads it
   * on the calling thread and sends it on with the cluster messages it makes. {@link RequestTelemetry}
   * put the header there.
   */
  private <T> Route call(Supplier<CompletionStage<T>> service, Function<T, Route> inner) {
    return optionalHeaderValueByName(RequestTelemetry.HEADER, id ->
        onSuccess(() -> RequestIds.call(id.orElse(null), service), inner));
  }

  private <T> Route ok(T value) {
    return complete(StatusCodes.OK, value, Json.marshaller());
  }

  private HttpResponse timedOut(HttpRequest request) {
    return ApiErrors.response(503, "unavailable",
        "the request took longer than " + settings.requestTimeout().toMillis()
            + " ms; try again or raise leann.http.request-timeout");
  }
}
