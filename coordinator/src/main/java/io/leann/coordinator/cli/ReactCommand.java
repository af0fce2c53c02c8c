package io.leann.coordinator.cli;

import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.rag.react.ReactAgent;
import io.leann.coordinator.rag.react.ReactListener;
import io.leann.coordinator.rag.react.ReactResult;
import io.leann.coordinator.rag.react.ReactStep;
import io.leann.coordinator.rag.react.SearchTool;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann react <name> <question>}: a ReAct agent that searches the index as often as it
 * needs (Thought / Action / Observation), printing each step, then the answer and its sources.
 */
@Command(name = "react", description = "Answer a question with a ReAct agent that searches the index step by step.")
final class ReactCommand implements Callable<Integer> {
  /** Lines of an observation printed per step; the model sees all of it. */
  private static final int SHOWN_LINES = 6;

  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Parameters(index = "1..*", arity = "1..*", description = "The question (words are joined).")
  List<String> question;

  @Mixin AskCommand.LlmFlags llm;

  @Option(names = "--top-k", defaultValue = "5", description = "Results per search (default ${DEFAULT-VALUE}).")
  int topK;

  @Mixin SearchFlags search = new SearchFlags(32);

  @Mixin EmbeddingFlags embedding;

  @Option(names = "--max-iterations", defaultValue = "" + ReactAgent.DEFAULT_MAX_ITERATIONS,
      description = "Tool calls before the agent must answer (default ${DEFAULT-VALUE}).")
  int maxIterations;

  @Override
  public Integer call() throws Exception {
    if (topK < 1 || search.complexity < 1 || maxIterations < 1) {
      throw new ParameterException(spec.commandLine(), "--top-k, --complexity and --max-iterations must be at least 1");
    }
    String text = String.join(" ", question).strip();
    if (text.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "the question must not be blank");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (AskCommand.LlmFlags.Opened opened = llm.open(cli, spec, name, embedding, search)) {
      SearchTool tool = new SearchTool(Retriever.of(opened.searcher()), topK, search.complexity, search.recompute);
      ReactAgent agent = new ReactAgent(opened.model(), List.of(tool), maxIterations, llm.thinking(spec));
      ReactResult result = agent.run(text, new Printer(out, err));
      if (!result.answer().endsWith("\n")) {
        out.println();
      }
      printSources(out, result.sources());
      out.flush();
    }
    return 0;
  }

  private static void printSources(PrintWriter out, List<Passage> sources) {
    out.println(sources.isEmpty() ? "\nSources: none" : "\nSources:");
    int n = 1;
    for (Passage p : sources) {
      out.printf(Locale.ROOT, "  [%d] %s  (score %.4f)%n", n++, p.label(), p.score());
    }
  }

  /** Prints the run as it happens. */
  private record Printer(PrintWriter out, PrintWriter err) implements ReactListener {
    @Override
    public void onStep(int iteration, ReactStep step) {
      out.println("\nStep " + iteration + ":");
      if (!step.thought().isEmpty()) {
        out.println("  Thought: " + step.thought().replace("\n", "\n    "));
      }
      out.println("  Action: " + step.tool() + "(\"" + step.input() + "\")");
      List<String> lines = step.observation().lines().toList();
      out.println("  Observation: " + String.join("\n    ", lines.subList(0, Math.min(SHOWN_LINES, lines.size())))
          + (lines.size() > SHOWN_LINES ? "\n    ..." : ""));
      out.flush();
    }

    @Override
    public void onRetry(String reason) {
      err.println("leann: the model's reply could not be used (" + reason + "); asking again");
      err.flush();
    }

    @Override
    public void onSynthesis(String why) {
      out.println("\n(" + why + "; writing the answer from the observations)\n\nAnswer:");
      out.flush();
    }

    @Override
    public void onAnswer() {
      out.println("\nAnswer:");
      out.flush();
    }

    @Override
    public void onToken(String token) {
      out.print(token);
      out.flush();
    }
  }
}
