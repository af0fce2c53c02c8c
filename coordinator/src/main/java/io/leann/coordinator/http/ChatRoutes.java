package io.leann.coordinator.http;

import io.leann.coordinator.api.Json;
import io.leann.coordinator.rag.ChatModels;
import io.leann.coordinator.rag.LlmConfig;
import io.leann.coordinator.rag.LlmException;
import io.leann.coordinator.rag.Message;
import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.RagAnswer;
import io.leann.coordinator.rag.RagChat;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.rag.ThinkingBudget;
import io.leann.protocol.RequestIds;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ChatLlm;
import io.leann.protocol.api.ChatMessage;
import io.leann.protocol.api.ChatRequest;
import io.leann.protocol.api.ChatSource;
import io.leann.protocol.api.LeannService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /indexes/{name}/chat}: a question answered from the index by a language model
 * ({@link RagChat}), over whatever {@link LeannService} serves the searches.
 *
 * <p>The question is searched first; an unknown index or bad input is a plain JSON error. Then:
 * <ul>
 *   <li>{@code "stream": false} (default): one JSON {@link io.leann.protocol.api.ChatResponse}.
 *       A generation may take up to {@link #GENERATION_TIMEOUT}, longer than other requests, and
 *       is cancelled when it runs over. Pekko tells a route nothing about a client that leaves
 *       before its response, so only the timeout ends a JSON generation early; clients that may
 *       give up should stream.
 *   <li>{@code "stream": true}: {@code text/event-stream} with the events {@code sources}
 *       ({@code {"sources": [...]}}, right after the search), {@code token} ({@code {"text": "..."}},
 *       one per streamed piece), then {@code done} (the whole ChatResponse) or {@code error}
 *       ({@code {"error": {"code", "message"}}}). Heartbeats (Pekko's empty {@code data:} events,
 *       which SSE clients do not dispatch) keep idle proxies and the server's idle timeout from
 *       closing the connection while a model thinks. Tokens are
 *       offered with back-pressure, so a slow client slows the reading of the model's stream
 *       rather than filling memory. When the client hangs up, the model's request is cancelled.
 * </ul>
 *
 * <p>Model failures map to statuses: an unknown provider or model 400, a provider that is not
 * configured 503 {@code llm_not_configured}, a rejected key 502 {@code llm_auth_failed}, an
 * unreachable or overloaded provider 503 {@code llm_unavailable}, anything else 502
 * {@code llm_error}. Keys and hosts are never taken from requests ({@link ChatLlm}).
 */
public final class ChatRoutes extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ChatRoutes.class);
  /** Longest non-streamed generation; a streamed one has no limit while tokens or heartbeats flow. */
  public static final Duration GENERATION_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
  /** Events buffered ahead of a slow client before the model's stream is paused. */
  private static final int BUFFERED_EVENTS = 256;

  private final LeannService service;
  private final ChatModels models;
  private final Duration heartbeat;
  /** Resolving a model may probe Ollama; that must not block Pekko's dispatcher. */
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param models where models come from; they are shared between requests
   * @param heartbeat interval of SSE heartbeats when no event is sent
   */
  public ChatRoutes(LeannService service, ChatModels models, Duration heartbeat) {
    this.service = service;
    this.models = models;
    this.heartbeat = heartbeat;
  }

  public ChatRoutes(LeannService service, ChatModels models) {
    this(service, models, DEFAULT_HEARTBEAT);
  }

  /** The route for {@code POST} on {@code /indexes/{index}/chat}; the caller matches path and method. */
  public Route route(String index) {
    return withRequestTimeout(GENERATION_TIMEOUT.plusSeconds(10), () ->
        optionalHeaderValueByName(RequestTelemetry.HEADER, requestId ->
        entity(Unmarshaller.entityToByteString(), bytes -> {
          ChatRequest request = Json.read(bytes, ChatRequest.class).validated();
          CompletionStage<RagChat.Prepared> prepared = prepare(index, request, requestId.orElse(null));
          return onSuccess(() -> prepared, ready -> request.streamed() ? streamed(ready) : whole(ready));
        })));
  }

  /** Retrieves for {@code request}; the search runs with {@code requestId} in the MDC. */
  private CompletionStage<RagChat.Prepared> prepare(String index, ChatRequest request, String requestId) {
    ChatLlm llm = request.llm() == null ? new ChatLlm(null, null, null) : request.llm();
    ThinkingBudget thinking = ThinkingBudget.parse(llm.thinkingBudget());
    RagChat.Options options = RagChat.Options.defaults().withTopK(request.topKOrDefault())
        .withComplexity(request.complexityOrDefault()).withRecompute(request.recompute()).withThinking(thinking);
    List<Message> history = request.historyOrEmpty().stream()
        .map(m -> ChatMessage.USER.equals(m.role()) ? Message.user(m.content()) : Message.assistant(m.content()))
        .toList();
    LlmConfig config = llmConfig(llm);
    return CompletableFuture
        .supplyAsync(() -> models.shared(config), blocking)
        .exceptionally(failure -> {
          throw apiError(failure);
        })
        .thenCompose(model -> RequestIds.call(requestId, () -> new RagChat(Retriever.of(service, index), model,
            options).prepare(request.question(), history)));
  }

  /** The ReAct route, answered by the same models and sharing this route's threads. */
  ReactRoutes reactRoutes() {
    return new ReactRoutes(service, models, heartbeat, blocking);
  }

  /** The model a request names; an unknown provider is a 400 naming the field. */
  static LlmConfig llmConfig(ChatLlm llm) {
    try {
      return LlmConfig.of(llm.provider(), llm.model());
    } catch (LlmException e) {
      throw ApiException.badRequest("llm.provider", "is not known: " + e.getMessage());
    }
  }

  private Route whole(RagChat.Prepared prepared) {
    CompletableFuture<RagAnswer> generation = prepared.generate(token -> {});
    CompletableFuture<RagAnswer> bounded = generation.orTimeout(GENERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> {
          if (unwrap(failure) instanceof TimeoutException) {
            generation.cancel(true);
            throw new ApiException(503, "llm_unavailable", prepared.modelName() + " did not finish its answer within "
                + GENERATION_TIMEOUT.toMinutes() + " min; ask with \"stream\": true for long answers");
          }
          throw apiError(failure);
        });
    return onSuccess(() -> bounded, answer -> complete(StatusCodes.OK, answer.toResponse(), Json.marshaller()));
  }

  private Route streamed(RagChat.Prepared prepared) {
    Source<ServerSentEvent, NotUsed> events = Source
        .<ServerSentEvent>queue(BUFFERED_EVENTS, OverflowStrategy.backpressure(), 1)
        .mapMaterializedValue(queue -> {
          // Offers block until the client takes the events; never on the materializing thread.
          blocking.execute(() -> run(prepared, queue));
          return NotUsed.getInstance();
        })
        .keepAlive(heartbeat, ServerSentEvent::heartbeat);
    return completeOK(events, EventStreamMarshalling.toEventStream());
  }

  /** Feeds one generation into {@code queue}; the stream's end, for any reason, cancels the generation. */
  private void run(RagChat.Prepared prepared, SourceQueueWithComplete<ServerSentEvent> queue) {
    AtomicBoolean clientGone = new AtomicBoolean();
    List<ChatSource> sources = prepared.passages().stream().map(Passage::toSource).toList();
    if (!offer(queue, event("sources", Map.of("sources", sources)))) {
      return;
    }
    CompletableFuture<RagAnswer> generation = prepared.generate(token -> {
      if (!offer(queue, event("token", Map.of("text", token)))) {
        clientGone.set(true);
        throw new LlmException(LlmException.Kind.CANCELLED, "the client disconnected");
      }
    });
    queue.watchCompletion().whenComplete((done, failure) -> {
      if (!generation.isDone()) {
        clientGone.set(true);
        generation.cancel(true);
        LOG.debug("chat client disconnected; cancelled the request to {}", prepared.modelName());
      }
    });
    generation.whenComplete((answer, failure) -> {
      if (clientGone.get()) {
        return;
      }
      if (failure == null) {
        offer(queue, event("done", answer.toResponse()));
      } else {
        ApiException e = apiError(failure);
        offer(queue, event("error", ApiErrors.body(e)));
      }
      queue.complete();
    });
  }

  /** Enqueues {@code event}, waiting while the client is behind; false when the stream is gone. */
  static boolean offer(SourceQueueWithComplete<ServerSentEvent> queue, ServerSentEvent event) {
    try {
      return queue.offer(event).toCompletableFuture().get() == QueueOfferResult.enqueued();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  static ServerSentEvent event(String type, Object data) {
    return ServerSentEvent.create(new String(Json.bytes(data), StandardCharsets.UTF_8), type);
  }

  /**
   * The API error for a failure of model resolution, retrieval or generation; an unexpected one is
   * logged and answered as a generic 500, as {@link ApiErrors} does.
   */
  static ApiException apiError(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiException api) {
      return api;
    }
    if (cause instanceof LlmException e) {
      return switch (e.kind()) {
        case UNKNOWN_MODEL -> new ApiException(400, "unknown_model", e.getMessage());
        case BAD_REQUEST -> new ApiException(400, "bad_request", e.getMessage());
        case NOT_CONFIGURED -> new ApiException(503, "llm_not_configured", e.getMessage());
        case AUTH -> new ApiException(502, "llm_auth_failed", e.getMessage());
        case UNAVAILABLE, CANCELLED -> new ApiException(503, "llm_unavailable", e.getMessage());
        case PROTOCOL -> new ApiException(502, "llm_error", e.getMessage());
      };
    }
    LOG.error("chat failed", cause);
    return new ApiException(500, "internal_error", "internal server error; the server log has the details");
  }

  static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
