package io.leann.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command answers {@code --help}, {@code -h} and {@code leann help <command>} with its usage, exit 0. */
class HelpTest {
  private static final List<String> COMMANDS = List.of("build", "search", "list", "remove", "watch", "serve",
      "ask", "react", "import", "embed-server", "mcp");

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void everyCommandAnswersHelpThreeWays() {
    for (String command : COMMANDS) {
      for (String[] args : List.of(new String[] {command, "--help"}, new String[] {command, "-h"},
          new String[] {"help", command})) {
        Result r = run(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        assertTrue(r.out().contains("Usage: leann " + command), String.join(" ", args) + " printed: " + r.out());
        assertTrue(r.err().isEmpty(), String.join(" ", args) + " wrote to stderr: " + r.err());
      }
    }
  }

  @Test
  void helpWithoutACommandListsThemAll() {
    Result r = run("help");
    assertEquals(0, r.code());
    for (String command : COMMANDS) {
      assertTrue(r.out().contains(command), "leann help does not list " + command);
    }
  }

  @Test
  void helpOfAnUnknownCommandIsAUsageError() {
    Result r = run("help", "no-such-command");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no-such-command"), r.err());
  }
}
