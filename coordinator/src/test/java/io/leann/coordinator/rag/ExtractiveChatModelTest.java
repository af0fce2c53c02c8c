package io.leann.coordinator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The no-LLM provider: what it quotes, how it cites, and that it says no model was used. */
class ExtractiveChatModelTest {
  static Passage passage(String id, String file, int from, int to, String text) {
    return Passage.of(id, 0.9f, text, Map.of("file_path", file, "start_line", from, "end_line", to));
  }

  @Test
  void quotesTheMostRelevantSentencesWithTheirSources() {
    List<Passage> passages = List.of(
        passage("1", "/docs/volcano.md", 3, 9, "Volcanoes are mountains. A volcano erupts when magma rises through the "
            + "crust. Tourists like them. Lava flows and ash clouds follow the eruption."),
        passage("2", "/docs/ocean.md", 1, 4, "Coral reefs shelter fish. Warming seas bleach the coral."));
    ExtractiveChatModel model = new ExtractiveChatModel("extractive answers were asked for");
    List<String> tokens = new CopyOnWriteArrayList<>();
    String answer = ChatModel.await(model.stream(LlmRequest.of(List.of(Message.user("prompt"))).withGrounding(
        new LlmRequest.Grounding("Why does a volcano erupt, and what follows the eruption?", passages)), tokens::add));
    assertEquals(answer, String.join("", tokens));
    assertTrue(answer.startsWith("No language model was used to answer this (extractive answers were asked for)."),
        answer);
    assertTrue(answer.contains("[1] /docs/volcano.md (lines 3-9)\nA volcano erupts when magma rises through the crust."
        + " ... Lava flows and ash clouds follow the eruption.\n"), answer);
    assertFalse(answer.contains("Tourists"), "sentences without the question's words are left out");
    assertFalse(answer.contains("ocean.md"), "a later passage sharing no word with the question is left out");
  }

  @Test
  void aBestPassageFoundByMeaningAloneIsQuotedFromItsStart() {
    String answer = new ExtractiveChatModel("why").answer(new LlmRequest.Grounding("Why is the sea warming up?",
        List.of(passage("2", "/docs/ocean.md", 1, 4, "Coral reefs shelter fish. Reefs bleach. Fish leave."))));
    assertTrue(answer.contains("[1] /docs/ocean.md (lines 1-4)\nCoral reefs shelter fish. Reefs bleach.\n"), answer);
  }

  @Test
  void saysSoWhenNothingWasFound() {
    String answer = new ExtractiveChatModel("why").answer(new LlmRequest.Grounding("q", List.of()));
    assertEquals("No language model was used to answer this (why). The search found no passages for this question.\n",
        answer);
  }

  @Test
  void requestsWithoutRetrievalNeedARealModel() {
    LlmException e = assertThrows(LlmException.class,
        () -> new ExtractiveChatModel("none is configured").complete(LlmRequest.of(List.of(Message.user("Thought?")))));
    assertEquals(LlmException.Kind.NOT_CONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("none is configured") && e.getMessage().contains("--llm"), e.getMessage());
  }

  @Test
  void longPassagesAreShortenedAtAWord() {
    String excerpt = ExtractiveChatModel.excerpt("word ".repeat(300), ExtractiveChatModel.terms("word"));
    assertTrue(excerpt.length() <= 404 && excerpt.endsWith(" ..."), excerpt);
  }
}
