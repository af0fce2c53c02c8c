package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.rag.ChatRoutesTest.Event;
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
 * {@code POST /indexes/{name}/react} end to end: the real route tree over {@link LocalLeannService}
 * and a real index, the agent reasoning through the OpenAI provider against a local fake of its
 * streaming API: a run that searches then answers (JSON), a streamed run that runs out of
 * iterations and synthesises, errors before anything streams, and a client hanging up.
 */
class ReactRoutesTest {
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

  static HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  static HttpResponse<String> send(String path, String body) throws Exception {
    return client.send(post(path, body), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAgentSearchesThenAnswers() throws Exception {
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Thought: I should look for cats.\n",
            "Action: leann_search(\"kitten on the sofa\")")),
        llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Thought: I can answer now.\n",
            "Final Answer: Cats nap on the sofa (cats.txt, line 1).")));
    HttpResponse<String> r = send("/indexes/docs/react", "{\"question\": \"What do cats do?\", \"top_k\": 2}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = ChatRoutesTest.JSON.readTree(r.body());
    assertEquals("Cats nap on the sofa (cats.txt, line 1).", body.path("answer").asText());
    assertFalse(body.path("synthesized").asBoolean());
    assertEquals("openai/gpt-4o-mini", body.path("model").asText());
    JsonNode step = body.path("steps").get(0);
    assertEquals(1, body.path("steps").size(), r.body());
    assertEquals(1, step.path("iteration").asInt());
    assertEquals("I should look for cats.", step.path("thought").asText());
    assertEquals("leann_search", step.path("tool").asText());
    assertEquals("kitten on the sofa", step.path("input").asText());
    assertTrue(step.path("observation").asText().startsWith("[1] (score "), r.body());
    assertTrue(step.path("observation").asText().contains("cats.txt (line 1)"), r.body());
    assertEquals(2, body.path("sources").size());
    assertTrue(body.path("sources").get(0).path("source").asText().endsWith("cats.txt"), r.body());

    String secondPrompt = llm.last().body().path("messages").get(1).path("content").asText();
    assertTrue(secondPrompt.contains("Action: leann_search(\"kitten on the sofa\")\nObservation:\n[1]"), secondPrompt);
    assertEquals("Observation:", llm.last().body().path("stop").get(0).asText());
  }

  @Test
  void aStreamedRunSendsStepsThenTheSynthesisedAnswer() throws Exception {
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Thought: search.\nAction: leann_search(\"volcano\")")),
        llm.sse(Duration.ofMillis(150), OpenAiChatModelTest.chunks("Magma rises", " (volcano.txt).")));
    HttpResponse<InputStream> response = client.send(post("/indexes/docs/react",
        "{\"question\": \"Why do volcanoes erupt?\", \"stream\": true, \"max_iterations\": 1}"),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElseThrow());
    List<Event> events;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      events = ChatRoutesTest.events(reader, Integer.MAX_VALUE).stream().filter(e -> e.type() != null).toList();
    }
    assertEquals(List.of("step", "synthesis", "token", "token", "done"), events.stream().map(Event::type).toList());
    assertEquals("volcano", events.get(0).json().path("input").asText());
    assertTrue(events.get(1).json().path("reason").asText().contains("all 1 iterations"), events.get(1).data());
    assertEquals(" (volcano.txt).", events.get(3).json().path("text").asText());
    JsonNode done = events.get(4).json();
    assertEquals("Magma rises (volcano.txt).", done.path("answer").asText());
    assertTrue(done.path("synthesized").asBoolean());
    assertEquals(1, done.path("steps").size());
  }

  @Test
  void badRequestsAreJsonErrorsBeforeAnythingStreams() throws Exception {
    int before = llm.requests().size();
    ChatRoutesTest.assertError(send("/indexes/nope/react", "{\"question\": \"x\", \"stream\": true}"),
        404, "not_found", "nope");
    ChatRoutesTest.assertError(send("/indexes/docs/react", "{\"question\": \" \"}"), 400, "bad_request", "'question'");
    ChatRoutesTest.assertError(send("/indexes/docs/react", "{\"question\": \"x\", \"max_iterations\": 0}"),
        400, "bad_request", "max_iterations");
    ChatRoutesTest.assertError(send("/indexes/docs/react", "{\"question\": \"x\", \"llm\": \"gpt\"}"),
        400, "bad_request", "llm.provider");
    ChatRoutesTest.assertError(send("/indexes/docs/react", "{\"question\": \"x\", \"llm\": \"extractive\",\"stream\":true}"),
        503, "llm_not_configured", "needs a language model");
    assertEquals(before, llm.requests().size(), "no model was called");
  }

  @Test
  void aClientHangingUpStopsTheRun() throws Exception {
    String[] words = new String[500];
    Arrays.fill(words, " word");
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Thought: look.\nAction: leann_search(\"rockets\")")),
        llm.sse(Duration.ofMillis(20), OpenAiChatModelTest.chunks(words)));
    HttpResponse<InputStream> response = client.send(post("/indexes/docs/react",
        "{\"question\": \"Tell me everything about rockets.\", \"stream\": true, \"max_iterations\": 1}"),
        HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = response.body();
    BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    List<Event> seen = new ArrayList<>();
    while (seen.isEmpty() || !"token".equals(seen.getLast().type())) {
      List<Event> next = ChatRoutesTest.events(reader, 1);
      assertFalse(next.isEmpty(), "the stream ended before the first token: " + seen);
      if (next.getFirst().type() != null) {
        seen.add(next.getFirst());
      }
    }
    assertEquals(List.of("step", "synthesis", "token"), seen.stream().map(Event::type).toList());
    body.close();
    assertTrue(llm.clientHungUp.await(10, TimeUnit.SECONDS),
        "the model's stream was closed when the client went away, long before its 10 s of tokens ended");
  }
}
