package io.leann.coordinator.rag;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code leann ask} at a terminal: streams each answer as it is generated, then lists its
 * sources. In a conversation ({@link #converse}) the earlier turns go along with every question,
 * bounded by the chat's history budget, and a failed turn is reported without ending the session.
 */
public final class TerminalChat {
  private static final Set<String> QUIT = Set.of("quit", "exit", "q", ":q", "/quit", "/exit");

  private final RagChat chat;
  private final PrintWriter out;
  private final PrintWriter err;
  private final ChatHistory history;

  public TerminalChat(RagChat chat, PrintWriter out, PrintWriter err, int maxHistoryTokens) {
    this.chat = chat;
    this.out = out;
    this.err = err;
    this.history = new ChatHistory(maxHistoryTokens);
  }

  /**
   * Answers one question, with the conversation so far.
   *
   * @throws LlmException when the model cannot answer
   */
  public RagAnswer ask(String question) {
    RagAnswer answer = ChatModel.await(chat.ask(question, history.messages(), token -> {
      out.print(token);
      out.flush();
    }));
    if (!answer.answer().endsWith("\n")) {
      out.println();
    }
    printSources(answer.sources());
    out.flush();
    history.add(question, answer.answer());
    return answer;
  }

  /** Reads questions from {@code in} until end of input or {@code quit}, answering each. */
  public void converse(BufferedReader in) throws IOException {
    out.println("Ask about your documents (" + chat.model().name() + "); 'quit' or Ctrl-D to leave.");
    while (true) {
      out.print("\n> ");
      out.flush();
      String line = in.readLine();
      if (line == null || QUIT.contains(line.strip().toLowerCase(Locale.ROOT))) {
        out.println();
        out.flush();
        return;
      }
      if (line.isBlank()) {
        continue;
      }
      try {
        out.println();
        ask(line.strip());
      } catch (LlmException e) {
        out.println();
        err.println("leann: " + e.getMessage());
        err.flush();
      }
    }
  }

  private void printSources(List<Passage> sources) {
    if (sources.isEmpty()) {
      out.println("\nSources: none (the search found no passages)");
      return;
    }
    out.println("\nSources:");
    int n = 1;
    for (Passage p : sources) {
      out.printf(Locale.ROOT, "  [%d] %s  (score %.4f)%n", n++, p.label(), p.score());
    }
  }
}
