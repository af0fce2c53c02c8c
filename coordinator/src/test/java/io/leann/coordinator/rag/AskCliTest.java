package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.cli.LeannCli;
import io.leann.coordinator.local.SmallIndex;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leann ask} and {@code leann react} through the real CLI on a real index, answered by the
 * extractive provider or by the OpenAI provider talking to a local fake; and a terminal
 * conversation whose second question carries the first turn.
 */
class AskCliTest {
  static final String KEY = "sk-test-cli-0123456789";

  @TempDir static Path work;
  static FakeLlmServer llm;
  static Map<String, String> env;

  record Run(int code, String out, String err) {}

  @BeforeAll
  static void index() throws Exception {
    Path indexes = work.resolve("indexes");
    SmallIndex.build(indexes, "docs");
    llm = new FakeLlmServer();
    env = Map.of("LEANN_INDEX_DIR", indexes.toString(), "HOME", work.toString(),
        "OPENAI_BASE_URL", llm.uri() + "/v1", "OPENAI_API_KEY", KEY);
  }

  @AfterAll
  static void stop() {
    llm.close();
  }

  static Run leann(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void askWithoutALanguageModelQuotesThePassages() {
    Run r = leann("ask", "docs", "What", "does", "a", "kitten", "do?", "--llm", "extractive", "--top-k", "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("leann: answering with extractive"), r.err());
    assertTrue(r.out().startsWith("No language model was used to answer this"), r.out());
    assertTrue(r.out().contains("[1] " + work.resolve("indexes/docs-docs/cats.txt") + " (line 1)\n"
        + "A kitten purrs when it is content and loves to nap on a warm sofa.\n"), r.out());
    assertFalse(r.out().contains("\n[2] "), "passages sharing no word with the question are not quoted: " + r.out());
    assertTrue(r.out().contains("\nSources:\n  [1] "), r.out());
    assertEquals(3, r.out().lines().filter(l -> l.matches("  \\[\\d] .*\\(score .*\\)")).count(), r.out());
  }

  @Test
  void askStreamsTheModelsAnswerThenListsTheSources() {
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks("Rockets burn", " fuel (rockets.txt, line 1).")));
    Run r = leann("ask", "docs", "How do rockets produce thrust?", "--llm", "openai", "--model", "gpt-4o-mini",
        "--thinking-budget", "low");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Rockets burn fuel (rockets.txt, line 1).\n\nSources:\n  [1] "), r.out());
    assertTrue(r.out().lines().filter(l -> l.startsWith("  [1] ")).findFirst().orElseThrow().contains("rockets.txt"));
    assertEquals(SmallIndex.FILES.size(), r.out().lines().filter(l -> l.startsWith("  [")).count(),
        "top 20 by default: every passage of the small index");
    String prompt = llm.last().body().path("messages").get(1).path("content").asText();
    assertTrue(prompt.contains("Question: How do rockets produce thrust?"), prompt);
  }

  @Test
  void reactSearchesThenAnswers() {
    llm.then(llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks(
            "Thought: I should search.\nAction: leann_search(\"what makes coral bleach\")")),
        llm.sse(Duration.ZERO, OpenAiChatModelTest.chunks(
            "Thought: The ocean passage says it.\nFinal Answer: Warming seas bleach coral (ocean.txt, line 1).")));
    Run r = leann("react", "docs", "Why", "does", "coral", "bleach?", "--llm", "openai", "--top-k", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Step 1:\n  Thought: I should search.\n  Action: leann_search(\"what makes coral bleach\")"),
        r.out());
    assertTrue(r.out().contains("Answer:\nWarming seas bleach coral (ocean.txt, line 1)."), r.out());
    assertTrue(r.out().lines().filter(l -> l.startsWith("  [1] ")).findFirst().orElseThrow().contains("ocean.txt"),
        r.out());
  }

  @Test
  void mistakesAreOneLineEach() {
    Run usage = leann("ask", "docs", "q", "--llm", "gpt");
    assertEquals(2, usage.code());
    assertTrue(usage.err().contains("unknown LLM provider 'gpt'"), usage.err());
    assertEquals(2, leann("ask", "docs", "q", "--thinking-budget", "huge").code());
    assertEquals(2, leann("react", "docs", "q", "--max-iterations", "0").code());

    Run missing = leann("ask", "nope", "q", "--llm", "extractive");
    assertEquals(1, missing.code());
    assertTrue(missing.err().startsWith("leann: ") && missing.err().contains("nope"), missing.err());

    Run react = leann("react", "docs", "why?", "--llm", "extractive");
    assertEquals(1, react.code());
    assertTrue(react.err().contains("the extractive fallback can only quote passages"), react.err());

    llm.then(FakeLlmServer.json(401, "{\"error\": {\"message\": \"Incorrect API key provided: " + KEY + "\","
        + " \"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}"));
    Run badKey = leann("ask", "docs", "q", "--llm", "openai");
    assertEquals(1, badKey.code());
    assertTrue(badKey.err().contains("leann: OpenAI rejected the API key (HTTP 401): check OPENAI_API_KEY"), badKey.err());
    assertFalse(badKey.err().contains(KEY), badKey.err());
  }

  @Test
  void aConversationSendsEarlierTurnsAndSurvivesAFailedTurn() throws Exception {
    RagPromptTest.RecordingModel model = new RagPromptTest.RecordingModel();
    Retriever retriever = (q, k, ef, rc) -> CompletableFuture.completedFuture(List.of(RagPromptTest.VOLCANO));
    ChatModel failing = new ChatModel() {
      int calls;

      @Override
      public String name() {
        return model.name();
      }

      @Override
      public CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken) {
        return ++calls == 2 ? CompletableFuture.failedFuture(new LlmException(LlmException.Kind.UNAVAILABLE, "busy"))
            : model.stream(request, onToken);
      }
    };
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    TerminalChat chat = new TerminalChat(new RagChat(retriever, failing, RagChat.Options.defaults()),
        new PrintWriter(out, true), new PrintWriter(err, true), 1000);
    chat.converse(new BufferedReader(new StringReader("What erupts?\n\nAnd why?\nAnd then?\nquit\nnever asked\n")));
    assertEquals(2, model.requests.size());
    List<Message> second = model.requests.get(1).messages();
    assertEquals("What erupts?", second.get(1).content(), "the first turn is sent with the next question");
    assertEquals(Message.Role.ASSISTANT, second.get(2).role());
    assertTrue(second.getLast().content().contains("Question: And then?"));
    assertEquals("leann: busy\n", err.toString());
    assertTrue(out.toString().contains("Sources:\n  [1] /docs/volcano.md (lines 12-18)"), out.toString());
  }
}
