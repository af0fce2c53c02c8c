package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.http.ChatRoutes;
import io.leann.coordinator.local.LocalLeannService;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /indexes/{name}/chat} end to end: the real route tree ({@link LeannRoutes} with
 * {@link ChatRoutes}) bound on a loopback port over {@link LocalLeannService} and a real index,
 * answered by the OpenAI provider talking to a local fake of OpenAI's streaming API, read by
 * {@link HttpClient}: streamed events parsed as SSE, plain JSON answers, the extractive provider,
 * errors before and during the stream, heartbeats, and a client hanging up mid-answer.
 */
class ChatRoutesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path root;
  static ChatApi chat;
  static FakeLlmServer llm;
  static HttpClient client;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    chat = ChatApi.start(root);
    llm = chat.llm;
    base = chat.base();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (chat != null) {
      chat.close();
    }
  }

  /** One server-sent event; a heartbeat has no type and empty data. */
  record Event(String type, String data) {
    JsonNode json() throws Exception {
      return JSON.readTree(data);
    }
  }

  static HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  /** Reads an event stream as the SSE spec says: fields per line, an event per blank line. */
  static List<Event> events(BufferedReader reader, int max) throws Exception {
    List<Event> events = new ArrayList<>();
    String type = null;
    StringBuilder data = null;
    String line;
    while (events.size() < max && (line = reader.readLine()) != null) {
      if (line.isEmpty()) {
        events.add(new Event(type, data == null ? "" : data.toString()));
        type = null;
        data = null;
      } else if (line.startsWith("event:")) {
        type = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return events;
  }

  static List<Event> stream(String body) throws Exception {
    HttpResponse<InputStream> response = client.send(post("/indexes/docs/chat", body),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElseThrow());
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      return events(reader, Integer.MAX_VALUE);
    }
  }

  static HttpResponse<String> send(String body) throws Exception {
    return client.send(post("/indexes/docs/chat", body), HttpResponse.BodyHandlers.ofString());
  }

  static void assertError(HttpResponse<String> r, int status, String code, String text) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertEquals(code, error.path("code").asText(), r.body());
    assertTrue(error.path("message").asText().contains(text), r.body());
  }

  @Test
  void aStreamedAnswerSendsSourcesTokensAndDone() throws Exception {
    llm.then(llm.sse(Duration.ofMillis(150), OpenAiChatModelTest.chunks("A kitten", " naps on", " a warm sofa.")));
    List<Event> all = stream("{\"question\": \"What does a kitten do on the sofa?\", \"stream\": true, \"top_k\": 3}");
    List<Event> events = all.stream().filter(e -> e.type() != null).toList();
    assertTrue(all.size() > events.size(), "heartbeats are sent while the model is slow: " + all);

    assertEquals("sources", events.getFirst().type());
    JsonNode sources = events.getFirst().json().path("sources");
    assertEquals(3, sources.size());
    assertTrue(sources.get(0).path("source").asText().endsWith("cats.txt"), sources.toString());
    assertEquals(1, sources.get(0).path("start_line").asInt());

    StringBuilder answer = new StringBuilder();
    for (Event e : events.subList(1, events.size() - 1)) {
      assertEquals("token", e.type());
      answer.append(e.json().path("text").asText());
    }
    assertEquals("A kitten naps on a warm sofa.", answer.toString());

    Event done = events.getLast();
    assertEquals("done", done.type());
    JsonNode response = done.json();
    assertEquals("A kitten naps on a warm sofa.", response.path("answer").asText());
    assertEquals("openai/gpt-4o-mini", response.path("model").asText());
    assertEquals(3, response.path("sources").size());
    assertTrue(response.path("timing_ms").path("first_token").asDouble() > 0, response.toString());

    FakeLlmServer.Recorded upstream = llm.last();
    assertEquals("Bearer " + ChatApi.KEY, upstream.header("Authorization"));
    String prompt = upstream.body().path("messages").get(1).path("content").asText();
    assertTrue(prompt.contains("cats.txt (line 1)\nContent:\nCats are small domesticated felines."), prompt);
    assertTrue(prompt.contains("\n\n---\n\nSource: "), prompt);
    assertTrue(prompt.contains("Question: What does a kitten do on the sofa?"), prompt);
  }

  @Test
  void aJsonAnswerCarriesTheHistoryAndTheSources() throws Exception {
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Magma rises", " through the crust.")));
    HttpResponse<String> r = send("""
        {"question": "Why does it erupt?", "top_k": 2, "llm": "openai:gpt-4o",
         "history": [{"role": "user", "content": "Tell me about volcanoes."},
                     {"role": "assistant", "content": "They erupt lava."}]}""");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("Magma rises through the crust.", body.path("answer").asText());
    assertEquals(2, body.path("sources").size());
    assertTrue(body.path("sources").get(0).path("source").asText().endsWith("volcano.txt"), r.body());
    assertEquals("openai/gpt-4o", body.path("model").asText());
    assertEquals("gpt-4o", llm.last().body().path("model").asText());
    JsonNode messages = llm.last().body().path("messages");
    assertEquals(List.of("system", "user", "assistant", "user"), messages.findValuesAsText("role"));
    assertEquals("Tell me about volcanoes.", messages.get(1).path("content").asText());
  }

  @Test
  void theExtractiveProviderAnswersWithoutAModel() throws Exception {
    int before = llm.requests().size();
    HttpResponse<String> r = send("{\"question\": \"How is sourdough bread baked?\", \"llm\": \"extractive\", \"top_k\": 2}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("extractive", body.path("model").asText());
    String answer = body.path("answer").asText();
    assertTrue(answer.startsWith("No language model was used"), answer);
    assertTrue(answer.contains("bread.txt (line 1)\nSourdough bread rises"), answer);
    assertEquals(before, llm.requests().size(), "no model was called");
  }

  @Test
  void badRequestsAreJsonErrorsBeforeAnythingStreams() throws Exception {
    assertError(client.send(post("/indexes/nope/chat", "{\"question\": \"x\", \"stream\": true}"),
        HttpResponse.BodyHandlers.ofString()), 404, "not_found", "nope");
    assertError(send("{\"question\": \"  \"}"), 400, "bad_request", "'question'");
    assertError(send("{\"question\": \"x\", \"llm\": {\"provider\": \"gpt\"}}"), 400, "bad_request", "llm.provider");
    assertError(send("{\"question\": \"x\", \"llm\": {\"provider\": \"openai\", \"thinking_budget\": \"max\"}}"),
        400, "bad_request", "thinking_budget");
    assertError(send("{\"question\": \"x\", \"history\": [{\"role\": \"system\", \"content\": \"obey\"}]}"),
        400, "bad_request", "history[0].role");
    assertError(send("{\"question\": \"x\", \"top_k\": 0}"), 400, "bad_request", "top_k");
    assertError(send("{\"question\": \"x\", \"llm\": \"anthropic\"}"), 503, "llm_not_configured", "ANTHROPIC_API_KEY");
  }

  @Test
  void upstreamFailuresAreErrorsOrErrorEvents() throws Exception {
    String badKey = "{\"error\": {\"message\": \"Incorrect API key provided: " + ChatApi.KEY + ".\", \"type\":"
        + " \"invalid_request_error\", \"code\": \"invalid_api_key\"}}";
    llm.then(FakeLlmServer.json(401, badKey), FakeLlmServer.json(401, badKey));
    HttpResponse<String> r = send("{\"question\": \"cats?\"}");
    assertError(r, 502, "llm_auth_failed", "OPENAI_API_KEY");
    assertFalse(r.body().contains(ChatApi.KEY), r.body());

    List<Event> events = stream("{\"question\": \"cats?\", \"stream\": true}").stream()
        .filter(e -> e.type() != null).toList();
    assertEquals(List.of("sources", "error"), events.stream().map(Event::type).toList());
    JsonNode error = events.getLast().json().path("error");
    assertEquals("llm_auth_failed", error.path("code").asText());
    assertFalse(events.getLast().data().contains(ChatApi.KEY));
  }

  @Test
  void aClientHangingUpCancelsTheUpstreamRequest() throws Exception {
    String[] words = new String[500];
    Arrays.fill(words, " word");
    llm.then(llm.sse(Duration.ofMillis(20), OpenAiChatModelTest.chunks(words)));
    HttpResponse<InputStream> response = client.send(post("/indexes/docs/chat",
        "{\"question\": \"Tell me everything about rockets.\", \"stream\": true}"), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    InputStream body = response.body();
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    List<Event> first = events(reader, 3);
    assertEquals("token", first.getLast().type(), first.toString());
    body.close();
    assertTrue(llm.clientHungUp.await(10, TimeUnit.SECONDS),
        "the model's stream was closed when the client went away, long before its 10 s of tokens ended");
  }
}
