package io.leann.coordinator.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * OpenAI, or any server speaking its API (vLLM, LM Studio, llama.cpp, LiteLLM, OpenRouter):
 * {@code POST {base}/chat/completions} with {@code "stream": true}, answered by server-sent
 * events whose data is a {@code chat.completion.chunk} ({@code choices[0].delta.content}) and,
 * last, {@code [DONE]}.
 *
 * <p>Parameters follow LEANN: temperature 0.7 and {@code max_tokens}; the reasoning models
 * (o-series, gpt-5) reject both and take {@code max_completion_tokens} (which also pays for their
 * hidden reasoning, so the thinking budget's tokens are added to it) and {@code reasoning_effort}.
 * The key, when there is one, is a bearer token.
 */
final class OpenAiChatModel extends StreamingChatModel {
  private static final Pattern REASONING = Pattern.compile("^(o\\d.*|gpt-5.*)$");
  private static final double TEMPERATURE = 0.7;

  private final URI base;
  private final String model;
  private final String apiKey;
  private final StreamingHttp http;

  /** @param apiKey bearer token, or null for servers that need none */
  OpenAiChatModel(URI base, String model, String apiKey, HttpOptions options) {
    this.base = base;
    this.model = model;
    this.apiKey = apiKey;
    this.http = new StreamingHttp(LlmProvider.OPENAI, base, options, apiKey);
  }

  @Override
  public String name() {
    return "openai/" + model;
  }

  /** Whether {@code model} is one of OpenAI's reasoning models, which take other parameters. */
  static boolean isReasoningModel(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    return REASONING.matcher(m.substring(m.lastIndexOf('/') + 1)).matches();
  }

  @Override
  String generate(LlmRequest request, Consumer<String> onToken) {
    ThinkTagFilter answer = new ThinkTagFilter(onToken);
    SseParser events = new SseParser((event, data) -> {
      if (data.strip().equals("[DONE]")) {
        return;
      }
      JsonNode chunk = http.parseJson(data, "an event");
      if (chunk.has("error")) {
        throw new LlmException(LlmException.Kind.UNAVAILABLE, "OpenAI failed in the middle of an answer: "
            + http.message(chunk.toString()));
      }
      String content = chunk.path("choices").path(0).path("delta").path("content").asText("");
      if (!content.isEmpty()) {
        answer.accept(content);
      }
    });
    Map<String, String> headers = apiKey == null ? Map.of() : Map.of("Authorization", "Bearer " + apiKey);
    http.post(Urls.resolve(base, "/chat/completions"), headers, body(request), model, null, events);
    events.finish();
    return answer.finish();
  }

  @Override
  public void close() {
    http.close();
  }

  private ObjectNode body(LlmRequest request) {
    ObjectNode body = ProviderHttp.JSON.createObjectNode();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    for (Message m : request.messages()) {
      messages.addObject().put("role", m.role().wireName()).put("content", m.content());
    }
    body.put("stream", true);
    if (isReasoningModel(model)) {
      ThinkingBudget reasoning = request.thinking() == null ? ThinkingBudget.MEDIUM : request.thinking();
      body.put("max_completion_tokens", request.maxTokens() + reasoning.tokens());
      if (request.thinking() != null) {
        body.put("reasoning_effort", request.thinking().level());
      }
    } else {
      body.put("temperature", TEMPERATURE);
      body.put("max_tokens", request.maxTokens());
      if (!request.stop().isEmpty()) {
        ArrayNode stop = body.putArray("stop");
        request.stop().stream().limit(4).forEach(stop::add);
      }
    }
    return body;
  }
}
