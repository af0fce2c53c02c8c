package io.leann.coordinator.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Claude through Anthropic's Messages API: {@code POST {base}/v1/messages} with
 * {@code "stream": true}, the key in {@code x-api-key} and {@code anthropic-version}; the answer
 * arrives as named server-sent events ({@code message_start}, {@code content_block_delta} with a
 * {@code text_delta}, ..., {@code message_stop}, or {@code error}).
 *
 * <p>The system message goes in the top-level {@code system} field, as the API wants. A thinking
 * budget turns on extended thinking ({@code "thinking": {"type": "enabled", "budget_tokens": n}});
 * its {@code thinking_delta}s are the model's scratchpad and are not part of the answer, and
 * {@code max_tokens} grows by the budget, since it must exceed it.
 */
final class AnthropicChatModel extends StreamingChatModel {
  static final String API_VERSION = "2023-06-01";

  private final URI base;
  private final String model;
  private final String apiKey;
  private final StreamingHttp http;

  AnthropicChatModel(URI base, String model, String apiKey, HttpOptions options) {
    this.base = base;
    this.model = model;
    this.apiKey = apiKey;
    this.http = new StreamingHttp(LlmProvider.ANTHROPIC, base, options, apiKey);
  }

  @Override
  public String name() {
    return "anthropic/" + model;
  }

  @Override
  String generate(LlmRequest request, Consumer<String> onToken) {
    StringBuilder answer = new StringBuilder();
    SseParser events = new SseParser((event, data) -> {
      JsonNode payload = http.parseJson(data, "an event");
      String type = payload.path("type").asText(event);
      if (type.equals("error")) {
        JsonNode error = payload.path("error");
        throw new LlmException(LlmException.Kind.UNAVAILABLE, "Anthropic failed in the middle of an answer ("
            + error.path("type").asText("error") + "): " + http.redact(error.path("message").asText(data)));
      }
      JsonNode delta = payload.path("delta");
      if (type.equals("content_block_delta") && delta.path("type").asText().equals("text_delta")) {
        String text = delta.path("text").asText("");
        if (!text.isEmpty()) {
          answer.append(text);
          onToken.accept(text);
        }
      }
    });
    Map<String, String> headers = Map.of("x-api-key", apiKey, "anthropic-version", API_VERSION);
    http.post(Urls.resolve(base, "/v1/messages"), headers, body(request), model, null, events);
    events.finish();
    return answer.toString();
  }

  @Override
  public void close() {
    http.close();
  }

  private ObjectNode body(LlmRequest request) {
    ObjectNode body = ProviderHttp.JSON.createObjectNode();
    body.put("model", model);
    ThinkingBudget thinking = request.thinking();
    body.put("max_tokens", request.maxTokens() + (thinking == null ? 0 : thinking.tokens()));
    String system = request.system();
    if (system != null) {
      body.put("system", system);
    }
    ArrayNode messages = body.putArray("messages");
    for (Message m : request.conversation()) {
      messages.addObject().put("role", m.role().wireName()).put("content", m.content());
    }
    body.put("stream", true);
    if (!request.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop_sequences");
      request.stop().forEach(stop::add);
    }
    if (thinking != null) {
      body.putObject("thinking").put("type", "enabled").put("budget_tokens", thinking.tokens());
    }
    return body;
  }
}
