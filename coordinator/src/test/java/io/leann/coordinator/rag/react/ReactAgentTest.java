package io.leann.coordinator.rag.react;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.rag.ChatModel;
import io.leann.coordinator.rag.LlmRequest;
import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.Retriever;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The ReAct loop against a scripted model: a question that takes two searches, malformed replies,
 * running out of iterations, unknown tools and repeated searches.
 */
class ReactAgentTest {
  static final Passage BUILDER = Passage.of("1", 0.88f, "The Gull Island lighthouse was built in 1890 by the engineer Ann Marsh.",
      Map.of("file_path", "/docs/lighthouses.md", "start_line", 10, "end_line", 14));
  static final Passage BIRTH = Passage.of("2", 0.81f, "Ann Marsh was born in Leith in 1851 and trained as a surveyor.",
      Map.of("file_path", "/docs/engineers.md", "start_line", 3, "end_line", 5));
  static final String QUESTION = "In which year was the builder of the Gull Island lighthouse born?";

  /** Answers with the next scripted reply and records every request. */
  static final class ScriptedModel implements ChatModel {
    final Deque<String> replies;
    final List<LlmRequest> requests = new ArrayList<>();

    ScriptedModel(String... replies) {
      this.replies = new ArrayDeque<>(List.of(replies));
    }

    @Override
    public String name() {
      return "fake/scripted";
    }

    @Override
    public CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken) {
      requests.add(request);
      String reply = replies.removeFirst();
      for (String word : reply.split("(?<= )")) {
        onToken.accept(word);
      }
      return CompletableFuture.completedFuture(reply);
    }

    String prompt(int call) {
      return requests.get(call).messages().getLast().content();
    }
  }

  /** Finds BUILDER for lighthouse queries and BIRTH for queries about Ann Marsh. */
  static final class Library implements Retriever {
    final List<String> queries = new ArrayList<>();

    @Override
    public CompletableFuture<List<Passage>> retrieve(String query, int topK, int complexity, Boolean recompute) {
      queries.add(query);
      String q = query.toLowerCase(Locale.ROOT);
      List<Passage> hits = q.contains("marsh") ? List.of(BIRTH) : q.contains("lighthouse") ? List.of(BUILDER) : List.of();
      return CompletableFuture.completedFuture(hits);
    }
  }

  /** The run's events; the answer's tokens are joined into one "answer: ..." entry. */
  record Events(List<String> log) implements ReactListener {
    Events() {
      this(new ArrayList<>());
    }

    @Override
    public void onAnswer() {
      log.add("answer: ");
    }

    @Override
    public void onStep(int iteration, ReactStep step) {
      log.add("step " + iteration + " " + step.input());
    }

    @Override
    public void onRetry(String reason) {
      log.add("retry");
    }

    @Override
    public void onSynthesis(String why) {
      log.add("synthesis: " + why);
    }

    @Override
    public void onToken(String token) {
      if (!log.isEmpty() && log.getLast().startsWith("answer: ")) {
        log.add(log.removeLast() + token);
      } else {
        log.add("token");
      }
    }
  }

  static ReactAgent agent(ChatModel model, Library library, int iterations) {
    return new ReactAgent(model, List.of(new SearchTool(library, 5, 32, null)), iterations, null);
  }

  @Test
  void aQuestionThatNeedsTwoSearches() {
    ScriptedModel model = new ScriptedModel(
        """
        Thought: I need to find out who built the Gull Island lighthouse.
        Action: leann_search("Gull Island lighthouse builder")
        Observation: it was built by someone (made up by the model)""",
        """
        Thought: Ann Marsh built it. Now I need her year of birth.
        Action: leann_search("Ann Marsh born")""",
        """
        Thought: I can answer now.
        Final Answer: Ann Marsh, who built the lighthouse, was born in 1851 (engineers.md, lines 3-5).""");
    Library library = new Library();
    Events events = new Events();
    ReactResult result = agent(model, library, ReactAgent.DEFAULT_MAX_ITERATIONS).run(QUESTION, events);

    assertEquals("Ann Marsh, who built the lighthouse, was born in 1851 (engineers.md, lines 3-5).", result.answer());
    assertFalse(result.synthesized());
    assertEquals(List.of("Gull Island lighthouse builder", "Ann Marsh born"), library.queries);
    assertEquals(List.of("step 1 Gull Island lighthouse builder", "step 2 Ann Marsh born",
        "answer: " + result.answer()), events.log(), "the final answer is streamed as the model writes it");
    assertEquals(List.of(BUILDER, BIRTH), result.sources());
    assertEquals("I need to find out who built the Gull Island lighthouse.", result.steps().getFirst().thought());

    assertTrue(model.prompt(0).contains("Question: " + QUESTION) && model.prompt(0).contains("No steps yet."));
    String second = model.prompt(1);
    assertTrue(second.contains("Action: leann_search(\"Gull Island lighthouse builder\")\nObservation:\n[1] (score 0.880)"
        + " Source: /docs/lighthouses.md (lines 10-14)\nThe Gull Island lighthouse was built in 1890"), second);
    assertFalse(second.contains("made up by the model"), "an Observation the model wrote is ignored");
    String third = model.prompt(2);
    assertTrue(third.contains("built in 1890") && third.contains("born in Leith in 1851"), third);
    for (LlmRequest r : model.requests) {
      assertEquals(List.of("Observation:"), r.stop());
      assertTrue(r.messages().getFirst().content().contains("leann_search(\"query\")"));
    }
  }

  @Test
  void aMalformedReplyIsAskedAgainOnce() {
    ScriptedModel model = new ScriptedModel(
        "I think I should look at the lighthouse documents first.",
        "Thought: Search.\nAction: leann_search('Gull Island lighthouse')",
        "Final Answer: Ann Marsh built it in 1890.");
    Events events = new Events();
    ReactResult result = agent(model, new Library(), 5).run(QUESTION, events);
    assertEquals("Ann Marsh built it in 1890.", result.answer());
    assertEquals(List.of("retry", "step 1 Gull Island lighthouse", "answer: " + result.answer()), events.log());
    assertTrue(model.prompt(1).contains("Your previous reply could not be used: the reply has neither"), model.prompt(1));
    assertFalse(model.prompt(2).contains("could not be used"), "the correction is sent once");
  }

  @Test
  void twoUnusableRepliesInARowEndInASynthesisFromWhatWasFound() {
    ScriptedModel model = new ScriptedModel("Hmm.", "Action: web_search(\"lighthouse\")",
        "From the passages: the lighthouse was built by Ann Marsh in 1890 (lighthouses.md, lines 10-14).");
    Library library = new Library();
    Events events = new Events();
    ReactResult result = agent(model, library, 5).run("Who built the Gull Island lighthouse?", events);
    assertTrue(result.synthesized());
    assertEquals(List.of("Who built the Gull Island lighthouse?"), library.queries, "one search for the question itself");
    assertEquals("retry", events.log().getFirst());
    assertTrue(events.log().get(2).startsWith("synthesis: the model's replies could not be parsed twice in a row"
        + " (there is no tool 'web_search'; the tools are leann_search)"), events.log().toString());
    assertTrue(events.log().contains("token"), "the synthesis is streamed");
    String synthesis = model.prompt(2);
    assertTrue(synthesis.contains("Here is what the research found") && synthesis.contains("built in 1890"), synthesis);
    assertEquals(List.of(BUILDER), result.sources());
  }

  @Test
  void runningOutOfIterationsSynthesisesOverAllObservations() {
    ScriptedModel model = new ScriptedModel(
        "Thought: first.\nAction: leann_search(\"Gull Island lighthouse\")",
        "Thought: again, the same.\nAction: leann_search(\"gull island LIGHTHOUSE\")",
        "Thought: now Ann.\nAction: leann_search(\"Ann Marsh\")",
        "Ann Marsh, born 1851.");
    Library library = new Library();
    Events events = new Events();
    ReactResult result = agent(model, library, 3).run(QUESTION, events);
    assertTrue(result.synthesized());
    assertEquals("Ann Marsh, born 1851.", result.answer());
    assertEquals(3, result.steps().size());
    assertEquals(List.of("Gull Island lighthouse", "Ann Marsh"), library.queries, "a repeated search is not run again");
    assertTrue(result.steps().get(1).observation().startsWith("This is the same call as in an earlier step"));
    assertTrue(model.prompt(2).contains("You have one tool call left"), model.prompt(2));
    assertTrue(events.log().contains("synthesis: the agent used all 3 iterations"), events.log().toString());
    String synthesis = model.prompt(3);
    assertTrue(synthesis.contains("built in 1890") && synthesis.contains("born in Leith"), synthesis);
    assertTrue(model.requests.get(3).stop().isEmpty());
  }

  @Test
  void theParserAcceptsTheFormatsModelsDriftInto() {
    assertInstanceOf(ReactParser.Action.class, ReactParser.parse("Thought: x\nAction: leann_search(\"a \\\"quoted\\\" q\")"));
    assertEquals("a \"quoted\" q",
        ((ReactParser.Action) ReactParser.parse("Action: leann_search(\"a \\\"quoted\\\" q\")")).input());
    assertEquals("plain words", ((ReactParser.Action) ReactParser.parse("action: leann_search(plain words)")).input());
    ReactParser.Action langchain = (ReactParser.Action) ReactParser.parse(
        "Thought: LangChain style.\nAction: leann_search\nAction Input: \"coral reefs\"");
    assertEquals("coral reefs", langchain.input());
    assertEquals("LangChain style.", langchain.thought());
    ReactParser.Final fin = (ReactParser.Final) ReactParser.parse("Thought: done\nFinal Answer: It is 42.\nMore lines.");
    assertEquals("It is 42.\nMore lines.", fin.answer());
    assertInstanceOf(ReactParser.Final.class,
        ReactParser.parse("Final Answer: yes\nAction: leann_search(\"x\")"), "the first of the two counts");
    assertInstanceOf(ReactParser.Malformed.class, ReactParser.parse("Action: leann_search(\"\")"));
    assertInstanceOf(ReactParser.Malformed.class, ReactParser.parse("Final Answer:   "));
  }
}
