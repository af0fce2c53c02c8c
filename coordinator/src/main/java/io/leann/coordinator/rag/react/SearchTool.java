package io.leann.coordinator.rag.react;

import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.Retriever;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code leann_search("query")}: the index search as a ReAct tool. The observation lists the top
 * results as LEANN's agent shows them: rank, score, source, and the text cut to
 * {@value #MAX_TEXT} characters. Every passage shown is remembered as a source of the final answer.
 *
 * <p>Not thread-safe: one tool per agent run.
 */
public final class SearchTool implements Tool {
  public static final String NAME = "leann_search";
  static final int MAX_TEXT = 500;

  private final Retriever retriever;
  private final int topK;
  private final int complexity;
  private final Boolean recompute;
  private final Map<String, Passage> shown = new LinkedHashMap<>();

  /**
   * @param topK results per search (LEANN's react: 5)
   * @param complexity search beam, ef
   * @param recompute recompute embeddings of visited nodes; null lets the index decide
   */
  public SearchTool(Retriever retriever, int topK, int complexity, Boolean recompute) {
    this.retriever = retriever;
    this.topK = topK;
    this.complexity = complexity;
    this.recompute = recompute;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return NAME + "(\"query\"): searches the user's indexed documents and returns the " + topK
        + " best matching passages with their sources.";
  }

  @Override
  public String run(String input) {
    List<Passage> hits = retriever.retrieve(input, topK, complexity, recompute).toCompletableFuture().join();
    if (hits.isEmpty()) {
      return "No passages matched \"" + input + "\".";
    }
    StringBuilder out = new StringBuilder();
    int rank = 1;
    for (Passage p : hits) {
      shown.putIfAbsent(p.id(), p);
      String text = p.text().strip();
      if (text.length() > MAX_TEXT) {
        text = text.substring(0, MAX_TEXT) + "...";
      }
      out.append(p.heading(rank++)).append('\n').append(text).append('\n');
    }
    return out.toString().strip();
  }

  @Override
  public List<Passage> sources() {
    return new ArrayList<>(shown.values());
  }
}
