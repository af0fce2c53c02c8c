package io.leann.coordinator.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Google Gemini: {@code POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse}, the key
 * in {@code x-goog-api-key}; every server-sent event is a {@code GenerateContentResponse} whose
 * {@code candidates[0].content.parts[].text} continue the answer (parts marked {@code thought} are
 * the model's reasoning and are skipped).
 *
 * <p>The system message goes in {@code systemInstruction}, the assistant's turns have role
 * {@code model}. Gemini 2.5 thinks by default and counts thinking in {@code maxOutputTokens}, so
 * that limit is raised by the thinking budget (or by {@link ThinkingBudget#MEDIUM}'s when none is
 * set), and a budget also sets {@code thinkingConfig.thinkingBudget}. Gemini reports a bad key as
 * HTTP 400 with reason {@code API_KEY_INVALID}; that is classified as a key error like a 401.
 */
final class GeminiChatModel extends StreamingChatModel {
  private final URI base;
  private final String model;
  private final String apiKey;
  private final StreamingHttp http;

  GeminiChatModel(URI base, String model, String apiKey, HttpOptions options) {
    this.base = base;
    this.model = model;
    this.apiKey = apiKey;
    this.http = new StreamingHttp(LlmProvider.GEMINI, base, options, apiKey);
  }

  @Override
  public String name() {
    return "gemini/" + model;
  }

  @Override
  String generate(LlmRequest request, Consumer<String> onToken) {
    StringBuilder answer = new StringBuilder();
    SseParser events = new SseParser((event, data) -> {
      JsonNode chunk = http.parseJson(data, "an event");
      if (chunk.has("error")) {
        throw new LlmException(LlmException.Kind.UNAVAILABLE, "Gemini failed in the middle of an answer: "
            + http.message(chunk.toString()));
      }
      String blocked = chunk.path("promptFeedback").path("blockReason").asText("");
      if (!blocked.isEmpty()) {
        throw new LlmException(LlmException.Kind.BAD_REQUEST,
            "Gemini refused the prompt (block reason " + blocked + ")");
      }
      for (JsonNode part : chunk.path("candidates").path(0).path("content").path("parts")) {
        String text = part.path("text").asText("");
        if (!part.path("thought").asBoolean(false) && !text.isEmpty()) {
          answer.append(text);
          onToken.accept(text);
        }
      }
    });
    String path = "/v1beta/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8)
        + ":streamGenerateContent?alt=sse";
    http.post(Urls.resolve(base, path), Map.of("x-goog-api-key", apiKey), body(request), model, this::classify, events);
    events.finish();
    return answer.toString();
  }

  @Override
  public void close() {
    http.close();
  }

  private ObjectNode body(LlmRequest request) {
    ObjectNode body = ProviderHttp.JSON.createObjectNode();
    ArrayNode contents = body.putArray("contents");
    for (Message m : request.conversation()) {
      ObjectNode content = contents.addObject().put("role", m.role() == Message.Role.ASSISTANT ? "model" : "user");
      content.putArray("parts").addObject().put("text", m.content());
    }
    String system = request.system();
    if (system != null) {
      body.putObject("systemInstruction").putArray("parts").addObject().put("text", system);
    }
    ObjectNode config = body.putObject("generationConfig");
    ThinkingBudget thinking = request.thinking();
    config.put("maxOutputTokens", request.maxTokens() + (thinking == null ? ThinkingBudget.MEDIUM : thinking).tokens());
    if (!request.stop().isEmpty()) {
      ArrayNode stop = config.putArray("stopSequences");
      request.stop().stream().limit(5).forEach(stop::add);
    }
    if (thinking != null) {
      config.putObject("thinkingConfig").put("thinkingBudget", thinking.tokens());
    }
    return body;
  }

  private LlmException classify(StreamingHttp.Failure f) {
    if (f.status() == 400 && (f.body().contains("API_KEY_INVALID") || f.body().contains("API key not valid"))) {
      return new LlmException(LlmException.Kind.AUTH, "Gemini rejected the API key (HTTP 400 API_KEY_INVALID): check "
          + LlmProvider.GEMINI.keyVariables() + " or --api-key (server said: " + f.message() + ")");
    }
    return null;
  }
}
