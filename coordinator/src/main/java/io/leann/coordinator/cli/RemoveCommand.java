package io.leann.coordinator.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code leann remove <name>}: deletes an index after asking, unless {@code --force}. */
@Command(name = "remove", description = "Delete an index.")
final class RemoveCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
  boolean force;

  @Override
  public Integer call() throws Exception {
    var registry = cli.registry();
    registry.existing(name);
    if (!force) {
      spec.commandLine().getOut().print("Remove index '" + name + "' under " + registry.root() + "? [y/N] ");
      spec.commandLine().getOut().flush();
      String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).startsWith("y")) {
        spec.commandLine().getOut().println("Kept '" + name + "'.");
        return 1;
      }
    }
    registry.remove(name);
    spec.commandLine().getOut().println("Removed index '" + name + "'.");
    return 0;
  }
}
