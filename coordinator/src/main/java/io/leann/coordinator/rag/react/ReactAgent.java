package io.leann.coordinator.rag.react;

import io.leann.coordinator.rag.ChatModel;
import io.leann.coordinator.rag.LlmRequest;
import io.leann.coordinator.rag.Message;
import io.leann.coordinator.rag.Passage;
import io.leann.coordinator.rag.RagPrompt;
import io.leann.coordinator.rag.ThinkingBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * A ReAct agent (reason + act), after LEANN's {@code react_agent.py}: the model thinks, calls a
 * tool, reads the observation, and repeats until it gives a {@code Final Answer} or
 * {@code maxIterations} tool calls have been made; then a final synthesis prompt has it answer
 * from all the observations gathered.
 *
 * <p>Each step sends the whole run so far (question, earlier thoughts, actions and observations)
 * in one user message, as LEANN does, and stops generation at {@code Observation:} so the model
 * cannot invent one. A reply that cannot be parsed (or names an unknown tool) is answered once
 * with a correction; a second unusable reply in a row ends the stepping and the answer is
 * synthesised from what has been observed, after one search for the question itself when nothing
 * has been. A search repeated word for word is not run again; the model is pointed at the
 * earlier result.
 *
 * <p>Not thread-safe: the tools remember what they have shown. Build one agent per question.
 */
public final class ReactAgent {
  public static final int DEFAULT_MAX_ITERATIONS = 5;

  private final ChatModel model;
  private final Map<String, Tool> tools = new LinkedHashMap<>();
  private final int maxIterations;
  private final ThinkingBudget thinking;

  /**
   * @param tools what the model may call; the first is used for the fallback search
   * @param thinking reasoning budget of every model call, or null
   */
  public ReactAgent(ChatModel model, List<Tool> tools, int maxIterations, ThinkingBudget thinking) {
    if (tools.isEmpty()) {
      throw new IllegalArgumentException("an agent needs at least one tool");
    }
    if (maxIterations < 1) {
      throw new IllegalArgumentException("maxIterations must be at least 1: " + maxIterations);
    }
    this.model = model;
    tools.forEach(t -> this.tools.put(t.name(), t));
    this.maxIterations = maxIterations;
    this.thinking = thinking;
  }

  /**
   * Answers {@code question}.
   *
   * @throws io.leann.coordinator.rag.LlmException when the model cannot be reached
   */
  public ReactResult run(String question, ReactListener listener) {
    List<ReactStep> steps = new ArrayList<>();
    String correction = null;
    String stopReason = "the agent used all " + maxIterations + " iterations";
    while (steps.size() < maxIterations) {
      FinalAnswerTap tap = new FinalAnswerTap(listener);
      String reply = ChatModel.await(model.stream(stepRequest(question, steps, correction), tap));
      ReactParser.Parsed parsed = checkTool(ReactParser.parse(reply));
      if (parsed instanceof ReactParser.Final f) {
        tap.finish(f.answer());
        return new ReactResult(f.answer(), steps, sources(), false, model.name());
      }
      if (parsed instanceof ReactParser.Action a) {
        correction = null;
        ReactStep step = new ReactStep(a.thought(), a.tool(), a.input(), observe(a, steps));
        steps.add(step);
        listener.onStep(steps.size(), step);
        continue;
      }
      String reason = ((ReactParser.Malformed) parsed).reason();
      if (correction != null) {
        stopReason = "the model's replies could not be parsed twice in a row (" + reason + ")";
        break;
      }
      listener.onRetry(reason);
      correction = reason;
    }
    if (steps.isEmpty()) {
      Tool fallback = tools.values().iterator().next();
      ReactStep step = new ReactStep("", fallback.name(), question, run(fallback, question));
      steps.add(step);
      listener.onStep(1, step);
    }
    listener.onSynthesis(stopReason);
    String answer = ChatModel.await(model.stream(synthesisRequest(question, steps), listener::onToken));
    return new ReactResult(answer, steps, sources(), true, model.name());
  }

  private ReactParser.Parsed checkTool(ReactParser.Parsed parsed) {
    if (parsed instanceof ReactParser.Action a && !tools.containsKey(a.tool())) {
      return new ReactParser.Malformed("there is no tool '" + a.tool() + "'; the tools are "
          + String.join(", ", tools.keySet()));
    }
    return parsed;
  }

  private String observe(ReactParser.Action action, List<ReactStep> earlier) {
    for (ReactStep s : earlier) {
      if (s.tool().equals(action.tool()) && s.input().equalsIgnoreCase(action.input())) {
        return "This is the same call as in an earlier step; its observation is above. Use it, or try a different"
            + " input.";
      }
    }
    return run(tools.get(action.tool()), action.input());
  }

  private static String run(Tool tool, String input) {
    try {
      return tool.run(input);
    } catch (RuntimeException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return "The tool failed: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
    }
  }

  private LlmRequest stepRequest(String question, List<ReactStep> steps, String correction) {
    StringBuilder user = new StringBuilder("Question: ").append(question.strip()).append("\n\n");
    if (steps.isEmpty()) {
      user.append("No steps yet.\n\n");
    } else {
      user.append("Steps so far:\n\n");
      for (ReactStep s : steps) {
        user.append(transcript(s)).append("\n\n");
      }
    }
    if (correction != null) {
      user.append("Your previous reply could not be used: ").append(correction).append(". Reply with a Thought and")
          .append(" then either exactly one line 'Action: tool(\"input\")' or 'Final Answer: ...'.\n\n");
    }
    user.append(steps.size() == maxIterations - 1 && maxIterations > 1
        ? "You have one tool call left; if the observations above answer the question, give the Final Answer."
        : "What is your next step?");
    return new LlmRequest(List.of(Message.system(systemPrompt()), Message.user(user.toString())),
        LlmRequest.DEFAULT_MAX_TOKENS, thinking, List.of("Observation:"), null);
  }

  private String systemPrompt() {
    String toolList = tools.values().stream().map(t -> "- " + t.description()).collect(Collectors.joining("\n"));
    return """
        You are a research agent answering a question about the user's documents. Work in steps. In each \
        step write:
        Thought: what you know so far and what you need next
        Action: tool("input")

        Available tools:
        %s

        After each Action you receive an Observation with the tool's result. Search as often as you need, \
        with different queries. When the observations answer the question, write:
        Thought: I can answer now.
        Final Answer: the answer, citing the sources you used as (file, lines a-b)

        Write one Action or the Final Answer per reply, and never write an Observation yourself.""".formatted(toolList);
  }

  private LlmRequest synthesisRequest(String question, List<ReactStep> steps) {
    String observations = steps.stream()
        .map(s -> "Action: " + s.tool() + "(\"" + s.input() + "\")\nObservation:\n" + s.observation())
        .collect(Collectors.joining(RagPrompt.SEPARATOR));
    String user = "Question: " + question.strip() + "\n\nHere is what the research found:\n\n" + observations
        + "\n\nWrite the final answer to the question from these observations. Cite the source file and line numbers"
        + " of the passages you use. If they do not answer the question, say what is missing.";
    return new LlmRequest(List.of(Message.system(RagPrompt.SYSTEM), Message.user(user)), LlmRequest.DEFAULT_MAX_TOKENS,
        thinking, List.of(), null);
  }

  private static String transcript(ReactStep s) {
    return (s.thought().isEmpty() ? "" : "Thought: " + s.thought() + "\n") + "Action: " + s.tool() + "(\""
        + s.input() + "\")\nObservation:\n" + s.observation();
  }

  private List<Passage> sources() {
    Map<String, Passage> all = new LinkedHashMap<>();
    for (Tool t : tools.values()) {
      t.sources().forEach(p -> all.putIfAbsent(p.id(), p));
    }
    return new ArrayList<>(all.values());
  }
}
