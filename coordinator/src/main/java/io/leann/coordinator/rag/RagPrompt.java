package io.leann.coordinator.rag;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The RAG prompt, in the shape of the newer Python LEANN's {@code LeannChat.ask}: each passage is
 * written as {@code Source: <file> (lines a-b)}, {@code Content:}, its text; passages are joined by
 * {@code \n\n---\n\n}; the question follows the context, and the model is asked to cite the
 * sources and lines it uses. A system message sets the ground rules, and earlier turns of a
 * conversation sit between it and the new question.
 */
public final class RagPrompt {
  /** Between two passages of the context, as LEANN joins them. */
  public static final String SEPARATOR = "\n\n---\n\n";

  /** The ground rules for every RAG answer. */
  public static final String SYSTEM = """
      You are LEANN, an assistant that answers questions about the user's own documents. \
      Base your answer on the retrieved context. When you use a passage, cite its source file and \
      lines as given in its "Source:" line, for example (guide.md, lines 10-24). If the context does \
      not contain the answer, say so plainly instead of guessing.""";

  private RagPrompt() {}

  /** Every passage as {@code Source: <label>\nContent:\n<text>}, joined by {@link #SEPARATOR}. */
  public static String context(List<Passage> passages) {
    return passages.stream()
        .map(p -> "Source: " + p.label() + "\nContent:\n" + p.text().strip())
        .collect(Collectors.joining(SEPARATOR));
  }

  /** The user message: context, question, and the request to cite. */
  public static String question(String question, List<Passage> passages) {
    if (passages.isEmpty()) {
      return "No passages of the user's documents matched this question.\n\nQuestion: " + question.strip()
          + "\n\nSay that the documents do not cover it, then answer from your own knowledge only if you are sure,"
          + " saying that you do.";
    }
    return "Here is some retrieved context that might help answer your question:\n\n" + context(passages)
        + "\n\nQuestion: " + question.strip()
        + "\n\nPlease provide the best answer you can based on this context. Cite the source file and line"
        + " numbers of the passages you use.";
  }

  /** System message, the earlier turns, then the question with its context. */
  public static List<Message> messages(String question, List<Message> history, List<Passage> passages) {
    List<Message> messages = new ArrayList<>(history.size() + 2);
    messages.add(Message.system(SYSTEM));
    messages.addAll(history);
    messages.add(Message.user(question(question, passages)));
    return messages;
  }
}
