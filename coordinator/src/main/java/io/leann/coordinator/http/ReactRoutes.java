package io.leann.coordinator.http;

import io.leann.coordinator.api.Json;
import io.leann.coordinator.rag.ChatModel;
import io.leann.coordinator.rag.ChatModels;
import io.leann.coordinator.rag.LlmConfig;
import io.leann.coordinator.rag.LlmException;
import io.leann.coordinator.rag.LlmProvider;
import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.rag.ThinkingBudget;
import io.leann.coordinator.rag.react.ReactAgent;
import io.leann.coordinator.rag.react.ReactListener;
import io.leann.coordinator.rag.react.ReactResult;
import io.leann.coordinator.rag.react.ReactStep;
import io.leann.coordinator.rag.react.SearchTool;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.ChatLlm;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.ReactRequest;
import io.leann.protocol.api.ReactResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * {@code POST /indexes/{name}/react}: {@code leann react} over HTTP, a {@link ReactAgent} whose
 * tool is the index search through the {@link LeannService}, so it works the same on one node and
 * on a cluster. The agent runs on the server because it needs raw model calls with stop
 * sequences, which the API does not offer, and because models and their keys are the server's
 * configuration ({@link ChatLlm}).
 *
 * <p>The index and the model are resolved first: an unknown index, bad input, or a server with no
 * language model (the {@code extractive} provider cannot reason) is a plain JSON error. Then:
 * <ul>
 *   <li>{@code "stream": false} (default): one JSON {@link ReactResponse}, within
 *       {@link ChatRoutes#GENERATION_TIMEOUT} for the whole run; the run is interrupted when it
 *       takes longer.
 *   <li>{@code "stream": true}: {@code text/event-stream} with an event per thing the agent does:
 *       {@code step} ({@link ReactResponse.Step}, after each tool call), {@code retry}
 *       ({@code {"reason"}}, an unusable reply is asked again), {@code synthesis} ({@code {"reason"}},
 *       the answer will be written from the observations), {@code answer} (the model has begun its final
 *       answer), {@code token} ({@code {"text"}}, pieces of the answer as it streams in, the model's
 *       own or a synthesised one), then {@code done} (the whole ReactResponse) or {@code error}
 *       ({@code {"error": {"code", "message"}}}). Heartbeats and back-pressure as for chat; when
 *       the client hangs up, the run is interrupted and its model request cancelled.
 * </ul>
 * Model failures map to the statuses {@link ChatRoutes} uses. Thread-safe: each request gets its
 * own agent, run on a virtual thread.
 */
public final class ReactRoutes extends AllDirectives {
  private static final int BUFFERED_EVENTS = 256;

  private final LeannService service;
  private final ChatModels models;
  private final Duration heartbeat;
  private final ExecutorService blocking;

  /**
   * @param models where models come from; they are shared between requests
   * @param heartbeat interval of SSE heartbeats when no event is sent
   * @param blocking runs agents (they block on each model call) and model resolution
   */
  ReactRoutes(LeannService service, ChatModels models, Duration heartbeat, ExecutorService blocking) {
    this.service = service;
    this.models = models;
    this.heartbeat = heartbeat;
    this.blocking = blocking;
  }

  /** The route for {@code POST} on {@code /indexes/{index}/react}; the caller matches path and method. */
  public Route route(String index) {
    return withRequestTimeout(ChatRoutes.GENERATION_TIMEOUT.plusSeconds(10), () ->
        entity(Unmarshaller.entityToByteString(), bytes -> {
          ReactRequest request = Json.read(bytes, ReactRequest.class).validated();
          CompletionStage<ReactAgent> agent = prepare(index, request);
          return onSuccess(() -> agent, ready -> request.streamed()
              ? streamed(ready, request.question()) : whole(ready, request.question()));
        }));
  }

  private CompletionStage<ReactAgent> prepare(String index, ReactRequest request) {
    ChatLlm llm = request.llm() == null ? new ChatLlm(null, null, null) : request.llm();
    ThinkingBudget thinking = ThinkingBudget.parse(llm.thinkingBudget());
    LlmConfig config = ChatRoutes.llmConfig(llm);
    return service.index(index)
        .thenApplyAsync(info -> models.shared(config), blocking)
        .exceptionally(failure -> {
          throw ChatRoutes.apiError(failure);
        })
        .thenApply(model -> {
          requireReasoning(model);
          SearchTool search = new SearchTool(Retriever.of(service, index), request.topKOrDefault(),
              request.complexityOrDefault(), request.recompute());
          return new ReactAgent(model, List.of(search), request.maxIterationsOrDefault(), thinking);
        });
  }

  /** The extractive provider only quotes passages; failing here beats failing after the stream began. */
  private static void requireReasoning(ChatModel model) {
    if (LlmProvider.EXTRACTIVE.id().equals(model.name())) {
      throw new ApiException(503, "llm_not_configured", "the ReAct agent needs a language model and this request"
          + " has none (extractive answers only quote passages): name a provider in \"llm\", or configure one on the"
          + " server (LEANN_LLM, OLLAMA_HOST, OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY)");
    }
  }

  private Route whole(ReactAgent agent, String question) {
    CompletableFuture<ReactResult> run = start(agent, question, ReactListener.NONE);
    CompletableFuture<ReactResponse> bounded = run
        .orTimeout(ChatRoutes.GENERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, failure) -> {
          if (failure == null) {
            return response(result);
          }
          if (ChatRoutes.unwrap(failure) instanceof TimeoutException) {
            throw new ApiException(503, "llm_unavailable", "the agent did not finish within "
                + ChatRoutes.GENERATION_TIMEOUT.toMinutes() + " min; ask with \"stream\": true to watch its steps");
          }
          throw ChatRoutes.apiError(failure);
        });
    return onSuccess(() -> bounded, answer -> complete(StatusCodes.OK, answer, Json.marshaller()));
  }

  private Route streamed(ReactAgent agent, String question) {
    Source<ServerSentEvent, NotUsed> events = Source
        .<ServerSentEvent>queue(BUFFERED_EVENTS, OverflowStrategy.backpressure(), 1)
        .mapMaterializedValue(queue -> {
          feed(agent, question, queue);
          return NotUsed.getInstance();
        })
        .keepAlive(heartbeat, ServerSentEvent::heartbeat);
    return completeOK(events, EventStreamMarshalling.toEventStream());
  }

  /** Runs the agent with its events going into {@code queue}; the stream's end, for any reason, stops the run. */
  private void feed(ReactAgent agent, String question, SourceQueueWithComplete<ServerSentEvent> queue) {
    AtomicBoolean clientGone = new AtomicBoolean();
    ReactListener listener = new ReactListener() {
      @Override
      public void onStep(int iteration, ReactStep step) {
        send("step", step(iteration, step));
      }

      @Override
      public void onRetry(String reason) {
        send("retry", Map.of("reason", reason));
      }

      @Override
      public void onSynthesis(String why) {
        send("synthesis", Map.of("reason", why));
      }

      @Override
      public void onAnswer() {
        send("answer", Map.of());
      }

      @Override
      public void onToken(String token) {
        send("token", Map.of("text", token));
      }

      /** Blocks the agent's thread while the client is behind; a client gone ends the run. */
      private void send(String type, Object data) {
        if (!ChatRoutes.offer(queue, ChatRoutes.event(type, data))) {
          clientGone.set(true);
          throw new LlmException(LlmException.Kind.CANCELLED, "the client disconnected");
        }
      }
    };
    CompletableFuture<ReactResult> run = start(agent, question, listener);
    queue.watchCompletion().whenComplete((done, failure) -> {
      if (!run.isDone()) {
        clientGone.set(true);
        run.cancel(true);
      }
    });
    run.whenComplete((result, failure) -> {
      if (clientGone.get()) {
        return;
      }
      if (failure == null) {
        ChatRoutes.offer(queue, ChatRoutes.event("done", response(result)));
      } else {
        ApiException e = ChatRoutes.apiError(failure);
        ChatRoutes.offer(queue, ChatRoutes.event("error", ApiErrors.body(e)));
      }
      queue.complete();
    });
  }

  /**
   * Runs the agent on its own thread. However the returned future completes (the run ends, a
   * timeout, a cancel), a run still going is interrupted, which cancels its model request.
   */
  private CompletableFuture<ReactResult> start(ReactAgent agent, String question, ReactListener listener) {
    CompletableFuture<ReactResult> result = new CompletableFuture<>();
    Future<?> task = blocking.submit(() -> {
      try {
        result.complete(agent.run(question, listener));
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    result.whenComplete((r, failure) -> task.cancel(true));
    return result;
  }

  private static ReactResponse response(ReactResult result) {
    List<ReactResponse.Step> steps = new ArrayList<>();
    for (int i = 0; i < result.steps().size(); i++) {
      steps.add(step(i + 1, result.steps().get(i)));
    }
    return new ReactResponse(result.answer(), steps, result.sources().stream().map(Passage::toSource).toList(),
        result.synthesized(), result.model());
  }

  private static ReactResponse.Step step(int iteration, ReactStep s) {
    return new ReactResponse.Step(iteration, s.thought(), s.tool(), s.input(), s.observation());
  }
}
