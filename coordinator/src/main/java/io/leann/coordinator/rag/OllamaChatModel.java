package io.leann.coordinator.rag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.coordinator.chunk.ApproximateTokenCounter;
import io.leann.protocol.http.HttpOptions;
import io.leann.protocol.http.ProviderHttp;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A model served by Ollama: {@code POST /api/chat} with {@code "stream": true}, answered by one
 * JSON object per line ({@code {"message": {"content": "..."}, "done": false}} ... {@code "done":
 * true}). An unknown model is reported with the models the server has installed
 * ({@code GET /api/tags}), so the fix is one copy-paste away.
 *
 * <p>Ollama silently drops the start of a prompt longer than the model's context window (2048 or
 * 4096 tokens by default), which would cut the instructions and the best passages of a RAG prompt.
 * When the prompt and answer may not fit, the request raises {@code num_ctx} to the next power of
 * two that holds them; powers of two keep the number of distinct sizes, and so of model reloads,
 * small.
 */
final class OllamaChatModel extends StreamingChatModel {
  /** The context Ollama gives a model when a request does not ask for more. */
  static final int DEFAULT_CONTEXT = 4096;
  private static final int MAX_CONTEXT = 131_072;
  private static final Duration TAGS_TIMEOUT = Duration.ofSeconds(5);

  private final URI host;
  private final String model;
  private final StreamingHttp http;

  OllamaChatModel(URI host, String model, HttpOptions options) {
    this.host = host;
    this.model = model;
    this.http = new StreamingHttp(LlmProvider.OLLAMA, host, options);
  }

  @Override
  public String name() {
    return "ollama/" + model;
  }

  @Override
  String generate(LlmRequest request, Consumer<String> onToken) {
    ThinkTagFilter answer = new ThinkTagFilter(onToken);
    http.post(Urls.resolve(host, "/api/chat"), Map.of(), body(request), model, this::classify, line -> {
      if (line.isBlank()) {
        return;
      }
      JsonNode chunk = http.parseJson(line, "a line");
      if (chunk.path("error").isTextual()) {
        throw new LlmException(LlmException.Kind.UNAVAILABLE,
            "Ollama failed in the middle of an answer: " + http.redact(chunk.path("error").asText()));
      }
      String content = chunk.path("message").path("content").asText("");
      if (!content.isEmpty()) {
        answer.accept(content);
      }
    });
    return answer.finish();
  }

  @Override
  public void close() {
    http.close();
  }

  /** The chat-capable models the server has, for messages and for picking a default. */
  static List<String> chatModels(JsonNode tags) {
    List<String> names = new ArrayList<>();
    for (JsonNode m : tags.path("models")) {
      String name = m.path("name").asText(m.path("model").asText(""));
      String family = m.path("details").path("family").asText("").toLowerCase(Locale.ROOT);
      // Embedding models (nomic-embed-text, mxbai-embed-large, bge-m3) cannot chat.
      if (!name.isEmpty() && !name.toLowerCase(Locale.ROOT).contains("embed") && !family.contains("bert")) {
        names.add(name);
      }
    }
    return names;
  }

  private ObjectNode body(LlmRequest request) {
    ObjectNode body = ProviderHttp.JSON.createObjectNode();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    int promptTokens = 0;
    for (Message m : request.messages()) {
      messages.addObject().put("role", m.role().wireName()).put("content", m.content());
      promptTokens += ApproximateTokenCounter.INSTANCE.count(m.content());
    }
    body.put("stream", true);
    if (request.thinking() != null) {
      // gpt-oss takes a level; other thinking models (qwen3, deepseek-r1) only on or off.
      if (model.toLowerCase(Locale.ROOT).startsWith("gpt-oss")) {
        body.put("think", request.thinking().level());
      } else {
        body.put("think", true);
      }
    }
    ObjectNode options = body.putObject("options");
    options.put("num_predict", request.maxTokens() + (request.thinking() == null ? 0 : request.thinking().tokens()));
    int needed = promptTokens + request.maxTokens() + (request.thinking() == null ? 0 : request.thinking().tokens());
    if (needed > DEFAULT_CONTEXT) {
      options.put("num_ctx", Math.min(MAX_CONTEXT, Integer.highestOneBit(needed - 1) << 1));
    }
    if (!request.stop().isEmpty()) {
      ArrayNode stop = options.putArray("stop");
      request.stop().forEach(stop::add);
    }
    return body;
  }

  /** A JSON 404 is Ollama's "model not found"; a bare one means a server without /api/chat. */
  private LlmException classify(StreamingHttp.Failure f) {
    if (f.status() != 404) {
      return null;
    }
    if (f.serverError() == null) {
      return new LlmException(LlmException.Kind.NOT_CONFIGURED, "the server at " + host
          + " has no /api/chat: is it Ollama 0.1.14 or newer? (check OLLAMA_HOST or --host)");
    }
    StringBuilder message = new StringBuilder("Ollama has no model '" + model + "' (run `ollama pull " + model + "`)");
    try {
      List<String> installed = chatModels(http.getJson(Urls.resolve(host, "/api/tags"), TAGS_TIMEOUT));
      if (installed.isEmpty()) {
        message.append("; no chat models are installed");
      } else {
        String base = model.contains(":") ? model.substring(0, model.indexOf(':')) : model;
        List<String> similar = installed.stream().filter(n -> n.startsWith(base)).toList();
        if (!similar.isEmpty()) {
          message.append("; did you mean ").append(String.join(" or ", similar)).append('?');
        }
        message.append(" Installed: ").append(String.join(", ", installed));
      }
    } catch (LlmException e) {
      message.append("; the installed models could not be listed: ").append(e.getMessage());
    }
    return new LlmException(LlmException.Kind.UNKNOWN_MODEL, message.toString());
  }
}
