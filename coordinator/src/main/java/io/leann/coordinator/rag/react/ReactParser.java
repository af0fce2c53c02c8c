package io.leann.coordinator.rag.react;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one reply of the model in the ReAct format: {@code Thought: ...} followed by either
 * {@code Action: tool("input")} or {@code Final Answer: ...}. Also accepted, since models drift
 * into them: single quotes or no quotes around the input, LangChain's
 * {@code Action: tool} + {@code Action Input: input}, any letter case in the keywords, and an
 * {@code Observation:} the model made up (it and all after it is ignored). When a reply holds
 * both an action and a final answer, whichever comes first counts.
 */
final class ReactParser {
  private static final Pattern OBSERVATION = Pattern.compile("(?im)^\\s*Observation\\s*:");
  private static final Pattern THOUGHT = Pattern.compile(
      "(?is)Thought\\s*:\\s*(.*?)(?=^\\s*(?:Action\\s*:|Final\\s+Answer\\s*:)|\\z)", Pattern.MULTILINE);
  private static final Pattern CALL =
      Pattern.compile("(?im)^\\s*Action\\s*:\\s*([A-Za-z_][\\w.-]*)\\s*\\((.*)\\)\\s*$");
  private static final Pattern LANGCHAIN = Pattern.compile(
      "(?im)^\\s*Action\\s*:\\s*([A-Za-z_][\\w.-]*)\\s*$\\s*^\\s*Action\\s+Input\\s*:\\s*(.+?)\\s*$");
  private static final Pattern FINAL = Pattern.compile("(?i)Final\\s+Answer\\s*:");

  /** What a reply asks for. */
  sealed interface Parsed permits Action, Final, Malformed {}

  /** Call {@code tool} with {@code input}. */
  record Action(String thought, String tool, String input) implements Parsed {}

  /** Stop: this is the answer. */
  record Final(String thought, String answer) implements Parsed {}

  /** Neither, and why. */
  record Malformed(String reason) implements Parsed {}

  private ReactParser() {}

  static Parsed parse(String reply) {
    String text = beforeObservation(reply);
    Matcher thoughtMatch = THOUGHT.matcher(text);
    String thought = thoughtMatch.find() ? thoughtMatch.group(1).strip() : "";
    Matcher call = CALL.matcher(text);
    Matcher langchain = LANGCHAIN.matcher(text);
    Matcher action = call.find() ? call : langchain.find() ? langchain : null;
    Matcher fin = FINAL.matcher(text);
    int finalAt = fin.find() ? fin.start() : -1;
    if (action != null && (finalAt < 0 || action.start() < finalAt)) {
      String input = unquote(action.group(2).strip());
      if (input.isBlank()) {
        return new Malformed("the Action " + action.group(1) + " has no input");
      }
      return new Action(thought, action.group(1), input);
    }
    if (finalAt >= 0) {
      String answer = text.substring(fin.end()).strip();
      return answer.isEmpty() ? new Malformed("the Final Answer is empty") : new Final(thought, answer);
    }
    return new Malformed("the reply has neither an 'Action: tool(\"input\")' line nor a 'Final Answer:'");
  }

  /**
   * Where the answer starts in a reply still being streamed, or -1 while it is not (yet) a final
   * answer: the same rules as {@link #parse} (a made-up observation ends the reply, an action before
   * the marker wins), so text streamed from that offset on is the start of what parse will return.
   */
  static int finalAnswerStart(String partialReply) {
    String text = beforeObservation(partialReply);
    Matcher fin = FINAL.matcher(text);
    if (!fin.find()) {
      return -1;
    }
    String head = text.substring(0, fin.start());
    return CALL.matcher(head).find() || LANGCHAIN.matcher(head).find() ? -1 : fin.end();
  }

  /** Where a made-up {@code Observation:} line starts in {@code text}, or its length when there is none. */
  static int observationStart(String text) {
    Matcher observation = OBSERVATION.matcher(text);
    return observation.find() ? observation.start() : text.length();
  }

  private static String beforeObservation(String text) {
    return text.substring(0, observationStart(text));
  }

  /** The input without one pair of surrounding quotes, with {@code \"} unescaped. */
  private static String unquote(String s) {
    if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
      return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\'", "'").strip();
    }
    return s;
  }
}
