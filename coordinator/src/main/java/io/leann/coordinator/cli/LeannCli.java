package io.leann.coordinator.cli;

import io.leann.coordinator.index.IndexRegistry;
import io.leann.protocol.LeannVersion;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code leann} command line. Exit codes: 0 success, 2 usage error, 1 any other failure.
 * A failure prints one line, {@code leann: <message>}; {@code -v} adds the stack trace.
 */
@Command(
    name = "leann",
    mixinStandardHelpOptions = true,
    version = "leann " + LeannVersion.VERSION + " (JVM)",
    description = "Low-storage vector index and RAG over your documents.",
    subcommands = {BuildCommand.class, SearchCommand.class, ListCommand.class, RemoveCommand.class,
        WatchCommand.class, ServeCommand.class, AskCommand.class, ReactCommand.class, ImportCommand.class,
        EmbedServerCommand.class, McpCommand.class, KeygenCommand.class, CommandLine.HelpCommand.class})
public final class LeannCli {
  @Option(names = {"-v", "--verbose"}, description = "Print stack traces and detailed progress.", scope = CommandLine.ScopeType.INHERIT)
  boolean verbose;

  private final Map<String, String> env;
  private final InputStream in;

  public LeannCli(Map<String, String> env, InputStream in) {
    this.env = env;
    this.in = in;
  }

  Map<String, String> env() {
    return env;
  }

  /** Standard input, which {@code leann mcp} reads. */
  InputStream in() {
    return in;
  }

  IndexRegistry registry() {
    return IndexRegistry.fromEnvironment(env);
  }

  public static void main(String[] args) {
    System.exit(run(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the CLI with the given environment and output streams, stdin as input; returns the exit code. */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
    return run(env, System.in, out, err, args);
  }

  /** Runs the CLI with the given environment and streams; returns the exit code. */
  public static int run(Map<String, String> env, InputStream in, PrintWriter out, PrintWriter err, String... args) {
    LeannCli root = new LeannCli(env, in);
    CommandLine cli = new CommandLine(root);
    // -h/--help (and -V) on every command, as on the root: `leann serve --help` works like `leann help serve`.
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
    }
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      err.println("leann: " + describe(e));
      if (root.verbose) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    });
    return cli.execute(args);
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException nsf && nsf.getReason() != null) {
      return nsf.getReason();
    }
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
