package io.leann.coordinator.cli;

import io.leann.coordinator.search.IndexEmbedServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann embed-server <name> [--endpoint tcp://127.0.0.1:5557]}: serves the index's model
 * over the Python LEANN's embedding-server protocol until interrupted ({@link IndexEmbedServer}).
 */
@Command(name = "embed-server", description = "Serve an index's model over the Python LEANN's ZMQ embedding"
    + " protocol (for Python LEANN searchers and leann-server embedding mode), until Ctrl-C.")
final class EmbedServerCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Option(names = "--endpoint", defaultValue = "tcp://127.0.0.1:5557",
      description = "ZMQ endpoint to bind (default: ${DEFAULT-VALUE}, where the Python LEANN starts its own).")
  String endpoint;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    IndexEmbedServer server = IndexEmbedServer.start(cli.registry().existing(name), cli.env(), endpoint);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "leann-embed-server-stop"));
    out.println("Serving '" + name + "' (" + server.model() + ") on " + server.endpoint() + "; Ctrl-C stops.");
    out.flush();
    stopped.await();
    return 0;
  }
}
