package io.leann.coordinator.cli;

import io.leann.coordinator.local.LocalLeannService;
import io.leann.coordinator.mcp.LeannTools;
import io.leann.coordinator.mcp.McpServer;
import io.leann.protocol.LeannVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann mcp}: the indexes under {@code LEANN_INDEX_DIR} as Model Context Protocol tools on
 * stdin/stdout, for MCP clients (Claude Code, Cursor, ...) that start it as a subprocess. Stdout
 * carries protocol messages only; logs go to stderr. Ends when stdin closes.
 */
@Command(name = "mcp", description = "Serve leann_list and leann_search to an MCP client over stdio"
    + " (e.g. `claude mcp add leann -- leann mcp`).")
final class McpCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Option(names = "--timeout", defaultValue = "120",
      description = "Seconds one tool call may take (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (timeoutSeconds < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1");
    }
    try (LocalLeannService service = new LocalLeannService(cli.env())) {
      McpServer server = new McpServer(new LeannTools(service, Duration.ofSeconds(timeoutSeconds)),
          LeannVersion.VERSION);
      server.serve(new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8)),
          spec.commandLine().getOut());
    }
    return 0;
  }
}
