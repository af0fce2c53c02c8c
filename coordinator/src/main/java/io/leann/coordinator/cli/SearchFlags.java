package io.leann.coordinator.cli;

import picocli.CommandLine.Option;

/**
 * How {@code search}, {@code ask} and {@code react} walk the index: the beam width, whether
 * embeddings are recomputed, and the query's prompt template. The number of results stays with each command, since each uses them
 * differently.
 */
final class SearchFlags {
  @Option(names = "--complexity", description = "Search beam width, ef (default ${DEFAULT-VALUE}).")
  int complexity;

  @Option(names = "--recompute", negatable = true,
      description = "Recompute embeddings of visited nodes (default: on for pruned indexes, off when vectors are stored).")
  Boolean recompute;

  @Option(names = {"--query-prompt-template", "--embedding-prompt-template"},
      description = "Prefix for the query before it is embedded, e.g. 'query: ' (default: the one the index"
          + " was built with).")
  String queryTemplate;

  /** @param complexity the command's default beam width, LEANN's: 64 to search, 32 to ask */
  SearchFlags(int complexity) {
    this.complexity = complexity;
  }
}
