package io.leann.coordinator.cli;

import io.leann.coordinator.index.IndexRegistry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann list}: one line per index with passages, model, size on disk and storage mode: the
 * graph's layout, what search ranks candidates by ({@code pq 32x8b}: 32 one-byte PQ codes over 256
 * centroids; {@code vectors f32}) and whether an embedding copy is kept for incremental builds.
 */
@Command(name = "list", description = "List the indexes.")
final class ListCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    IndexRegistry registry = cli.registry();
    var names = registry.names();
    if (names.isEmpty()) {
      out.println("No indexes under " + registry.root() + ". Build one: leann build <name> --docs <paths>");
      return 0;
    }
    out.printf("%-24s %10s  %-40s %10s  %s%n", "NAME", "PASSAGES", "MODEL", "SIZE", "STORAGE");
    for (String name : names) {
      IndexRegistry.Entry e = registry.describe(name);
      String storage = (e.meta().compact() ? "compact" : "padded")
          + (e.meta().pruned() ? ", pruned (recompute)" : ", vectors stored")
          + (e.meta().vectorCodes() == null ? "" : ", " + e.meta().vectorCodes())
          + (e.meta().keepsEmbeddingCopy() ? ", embedding copy" : "");
      out.printf("%-24s %10d  %-40s %10s  %s%n", name, e.meta().totalPassages(),
          e.meta().embeddingModel(), Bytes.human(e.bytesOnDisk()), storage);
    }
    return 0;
  }
}
