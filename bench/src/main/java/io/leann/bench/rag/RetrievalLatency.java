package io.leann.bench.rag;

import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.rag.ChatModels;
import io.leann.coordinator.rag.LlmConfig;
import io.leann.coordinator.rag.LlmProvider;
import io.leann.coordinator.rag.RagChat;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.search.IndexSearcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What retrieval adds to a RAG answer's time to first token: for each question, query embedding,
 * search (LEANN's ask defaults: top 20 at complexity 32) and prompt assembly, in a warm process —
 * everything {@code leann ask} does before the first request to the language model.
 *
 * <p>usage: {@code RetrievalLatency <index name> <questions file>} with {@code LEANN_INDEX_DIR} set
 */
public final class RetrievalLatency {
  private RetrievalLatency() {}

  public static void main(String[] args) throws Exception {
    List<String> questions = Files.readAllLines(Path.of(args[1])).stream().filter(l -> !l.isBlank()).toList();
    var env = System.getenv();
    try (IndexSearcher searcher = IndexSearcher.open(IndexRegistry.fromEnvironment(env).existing(args[0]), env);
        ChatModels models = ChatModels.fromEnvironment(env)) {
      RagChat rag = new RagChat(Retriever.of(searcher), models.create(new LlmConfig(LlmProvider.EXTRACTIVE, null, null, null, null)),
          RagChat.Options.defaults());
      for (String q : questions) {
        rag.prepare(q, List.of()).toCompletableFuture().join(); // warm-up pass
      }
      double[] millis = new double[questions.size()];
      for (int i = 0; i < questions.size(); i++) {
        long start = System.nanoTime();
        rag.prepare(questions.get(i), List.of()).toCompletableFuture().join();
        millis[i] = (System.nanoTime() - start) / 1e6;
      }
      Arrays.sort(millis);
      System.out.printf(Locale.ROOT, "%d questions on %s (%d passages): retrieval + prompt p50 %.1f ms, p90 %.1f ms, max %.1f ms%n",
          millis.length, args[0], searcher.index().passages().size(), millis[millis.length / 2],
          millis[(int) (millis.length * 0.9)], millis[millis.length - 1]);
    }
  }
}
