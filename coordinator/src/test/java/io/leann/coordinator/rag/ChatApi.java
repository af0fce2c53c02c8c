package io.leann.coordinator.rag;

import io.leann.coordinator.http.LoopbackApi;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fixture of the chat and agent route tests: the API on 127.0.0.1 ({@link LoopbackApi}) with
 * its language model the OpenAI provider ({@code gpt-4o-mini}, key {@link #KEY}) talking to a
 * {@link FakeLlmServer}, which each test scripts. Closing it stops the API, the models and the fake.
 */
final class ChatApi implements AutoCloseable {
  static final String KEY = "sk-test-route-0123456789";

  final FakeLlmServer llm;
  private final ChatModels models;
  private LoopbackApi api;

  private ChatApi() throws Exception {
    llm = new FakeLlmServer();
    models = new ChatModels(Map.of("LEANN_LLM", "openai:gpt-4o-mini", "OPENAI_BASE_URL", llm.uri() + "/v1",
        "OPENAI_API_KEY", KEY), FakeLlmServer.FAST);
  }

  /** Builds the index under {@code root} and starts the API and the fake model. */
  static ChatApi start(Path root) throws Exception {
    ChatApi chat = new ChatApi();
    try {
      chat.api = LoopbackApi.start(root, LoopbackApi.withChat(chat.models));
    } catch (Exception e) {
      chat.close();
      throw e;
    }
    return chat;
  }

  String base() {
    return api.base();
  }

  @Override
  public void close() throws Exception {
    try {
      if (api != null) {
        api.close();
      }
    } finally {
      models.close();
      llm.close();
    }
  }
}
