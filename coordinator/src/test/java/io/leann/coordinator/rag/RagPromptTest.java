package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Prompt assembly, citations, history bounds and the RAG flow around a model. */
class RagPromptTest {
  static final Passage VOLCANO = Passage.of("7", 0.91f, "  A volcano erupts when magma rises.\n",
      Map.of("file_path", "/docs/volcano.md", "file_name", "volcano.md", "start_line", 12, "end_line", 18));
  static final Passage OCEAN = Passage.of("3", 0.52f, "Coral bleaches in warm seas.",
      Map.of("file_path", "/docs/ocean.md", "start_line", 4L, "end_line", "4"));
  static final Passage PDF = Passage.of("9", 0.4f, "Figure 2 shows the crater.",
      Map.of("file_name", "report.pdf", "page", 3, "page_end", 4));
  static final Passage BARE = Passage.of("p-1", 0.3f, "API text.", Map.of());

  @Test
  void passagesAreCitedAsSourceWithLinesAndJoinedLikeLeann() {
    assertEquals("""
        Source: /docs/volcano.md (lines 12-18)
        Content:
        A volcano erupts when magma rises.

        ---

        Source: /docs/ocean.md (line 4)
        Content:
        Coral bleaches in warm seas.

        ---

        Source: report.pdf (pages 3-4)
        Content:
        Figure 2 shows the crater.

        ---

        Source: passage p-1
        Content:
        API text.""", RagPrompt.context(List.of(VOLCANO, OCEAN, PDF, BARE)));
  }

  @Test
  void theQuestionFollowsTheContextAndAsksForCitations() {
    String user = RagPrompt.question("  Why do volcanoes erupt? ", List.of(VOLCANO));
    assertTrue(user.startsWith("Here is some retrieved context that might help answer your question:\n\nSource: "
        + "/docs/volcano.md (lines 12-18)\nContent:\n"), user);
    assertTrue(user.contains("\n\nQuestion: Why do volcanoes erupt?\n\n"), user);
    assertTrue(user.endsWith("Cite the source file and line numbers of the passages you use."), user);
    assertTrue(RagPrompt.question("q", List.of()).contains("No passages"));
  }

  @Test
  void messagesAreSystemThenHistoryThenTheQuestion() {
    List<Message> history = List.of(Message.user("What is lava?"), Message.assistant("Molten rock."));
    List<Message> messages = RagPrompt.messages("Why does it erupt?", history, List.of(VOLCANO));
    assertEquals(List.of(Message.Role.SYSTEM, Message.Role.USER, Message.Role.ASSISTANT, Message.Role.USER),
        messages.stream().map(Message::role).toList());
    assertEquals(RagPrompt.SYSTEM, messages.getFirst().content());
    assertTrue(RagPrompt.SYSTEM.contains("cite its source file and lines"));
    assertTrue(messages.getLast().content().contains("Question: Why does it erupt?"));
  }

  @Test
  void historyKeepsTheNewestTurnsThatFitAndStartsWithTheUser() {
    ChatHistory history = new ChatHistory(40);
    history.add("first question about rockets", "first answer ".repeat(5));
    history.add("second question", "second answer");
    history.add("third question", "third answer");
    List<Message> kept = history.messages();
    assertEquals(Message.Role.USER, kept.getFirst().role());
    assertEquals("third answer", kept.getLast().content());
    assertTrue(kept.stream().noneMatch(m -> m.content().contains("rockets")), "the oldest turn was dropped");
    List<Message> odd = ChatHistory.bounded(List.of(Message.assistant("orphan"), Message.user("q"), Message.assistant("a")),
        1000);
    assertEquals(Message.Role.USER, odd.getFirst().role(), "a leading assistant message is dropped");
    assertTrue(ChatHistory.bounded(odd, 0).isEmpty());
  }

  /** A model that records what it was asked and answers with fixed tokens. */
  static final class RecordingModel implements ChatModel {
    final List<LlmRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "fake/recorder";
    }

    @Override
    public CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken) {
      requests.add(request);
      onToken.accept("Magma rises ");
      onToken.accept("(volcano.md, lines 12-18).");
      return CompletableFuture.completedFuture("Magma rises (volcano.md, lines 12-18).");
    }
  }

  @Test
  void ragChatSearchesPromptsStreamsAndTimes() {
    List<String> queries = new ArrayList<>();
    Retriever retriever = (query, topK, complexity, recompute) -> {
      queries.add(query + "|" + topK + "|" + complexity + "|" + recompute);
      return CompletableFuture.completedFuture(List.of(VOLCANO, OCEAN));
    };
    RecordingModel model = new RecordingModel();
    RagChat chat = new RagChat(retriever, model, RagChat.Options.defaults().withThinking(ThinkingBudget.LOW));
    List<String> tokens = new ArrayList<>();
    RagAnswer answer = ChatModel.await(chat.ask("Why do volcanoes erupt?",
        List.of(Message.user("earlier"), Message.assistant("reply")), tokens::add));
    assertEquals(List.of("Why do volcanoes erupt?|20|32|null"), queries, "LEANN's ask defaults: top 20, complexity 32");
    assertEquals("Magma rises (volcano.md, lines 12-18).", answer.answer());
    assertEquals(2, tokens.size());
    assertEquals(List.of(VOLCANO, OCEAN), answer.sources());
    assertEquals("fake/recorder", answer.model());
    assertTrue(answer.timing().keySet().containsAll(List.of("retrieval", "first_token", "generation", "total")));
    LlmRequest sent = model.requests.getFirst();
    assertEquals(ThinkingBudget.LOW, sent.thinking());
    assertEquals(4, sent.messages().size());
    assertTrue(sent.messages().getLast().content().contains("Source: /docs/ocean.md (line 4)"));
    assertEquals("Why do volcanoes erupt?", sent.grounding().question());
    assertEquals(List.of(VOLCANO, OCEAN), sent.grounding().passages());
    var response = answer.toResponse();
    assertEquals("/docs/volcano.md", response.sources().getFirst().source());
    assertEquals(12, response.sources().getFirst().startLine());
  }

  @Test
  void serverSentEventsAreParsedAsTheSpecSays() {
    List<String> seen = new ArrayList<>();
    SseParser parser = new SseParser((event, data) -> seen.add(event + "=" + data));
    for (String line : List.of(": comment", "event: token", "data: a", "data:b", "id: 1", "", "", "data: last")) {
      parser.accept(line);
    }
    parser.finish();
    assertEquals(List.of("token=a\nb", "message=last"), seen);
  }

  @Test
  void thinkTagsAreStrippedWhereverTheTokensSplitThem() {
    for (List<String> tokens : List.of(List.of("<thi", "nk>reason", "ing</th", "ink>  Answer", "."),
        List.of("<think>x</think>", "\n", "Answer."), List.of("Answer", "."), List.of("<", "b>Answer.</b>"))) {
      StringBuilder out = new StringBuilder();
      ThinkTagFilter filter = new ThinkTagFilter(out::append);
      tokens.forEach(filter);
      String answer = filter.finish();
      assertEquals(answer, out.toString());
      assertTrue(answer.equals("Answer.") || answer.equals("<b>Answer.</b>"), tokens + " -> " + answer);
    }
  }
}
