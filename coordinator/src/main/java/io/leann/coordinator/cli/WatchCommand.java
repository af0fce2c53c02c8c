package io.leann.coordinator.cli;

import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.index.IndexLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann watch <name>}: keeps an index in step with the folders it was built from. It repeats
 * the index's recorded build (the incremental path, so only changed files are embedded) once at
 * start and then after file events settle for the debounce period.
 */
@Command(name = "watch", description = "Rebuild an index incrementally when its files change.")
final class WatchCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Option(names = "--once", description = "Run one incremental pass and exit.")
  boolean once;

  @Option(names = "--debounce-ms", defaultValue = "2000", description = "Quiet time before a rebuild (default ${DEFAULT-VALUE}).")
  long debounceMs;

  @Override
  public Integer call() throws Exception {
    IndexLayout layout = cli.registry().existing(name);
    List<String> args = IndexBuilder.recordedArgs(layout);
    int code = rebuild(args);
    if (once || code != 0) {
      return code;
    }
    List<Path> roots = docsOf(args);
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      for (Path root : roots) {
        register(watcher, root);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("Watching " + roots.size() + (roots.size() == 1 ? " path" : " paths") + " for index '" + name
          + "' (Ctrl-C to stop):");
      for (Path root : roots) {
        out.println("  " + root);
      }
      out.flush();
      while (true) {
        WatchKey key = watcher.take();
        drainAndRegister(watcher, key);
        // Debounce: keep collecting events until the tree has been quiet for the whole period.
        WatchKey next;
        while ((next = watcher.poll(debounceMs, TimeUnit.MILLISECONDS)) != null) {
          drainAndRegister(watcher, next);
        }
        rebuild(args);
      }
    }
  }

  private int rebuild(List<String> args) {
    List<String> full = new ArrayList<>();
    full.add("build");
    full.addAll(args);
    CommandLine build = new CommandLine(new LeannCli(cli.env(), cli.in()));
    build.setOut(spec.commandLine().getOut());
    build.setErr(spec.commandLine().getErr());
    build.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
    return build.execute(full.toArray(String[]::new));
  }

  private static List<Path> docsOf(List<String> args) {
    List<Path> docs = new ArrayList<>();
    int i = args.indexOf("--docs") + 1;
    while (i > 0 && i < args.size() && !args.get(i).startsWith("--")) {
      docs.add(Path.of(args.get(i++)));
    }
    return docs;
  }

  private static void drainAndRegister(WatchService watcher, WatchKey key) throws IOException {
    Path dir = (Path) key.watchable();
    for (var event : key.pollEvents()) {
      if (event.context() instanceof Path child && Files.isDirectory(dir.resolve(child))) {
        register(watcher, dir.resolve(child));
      }
    }
    key.reset();
  }

  private static void register(WatchService watcher, Path root) throws IOException {
    Path dir = Files.isDirectory(root) ? root : root.getParent();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        if (!d.equals(dir) && d.getFileName().toString().startsWith(".")) {
          return FileVisitResult.SKIP_SUBTREE;
        }
        d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
            StandardWatchEventKinds.ENTRY_MODIFY);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
