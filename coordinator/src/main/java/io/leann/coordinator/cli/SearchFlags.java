package io.leann.coordinator.cli;

import picocli.CommandLine.Option;

/**
 * How {@code search}, {@code ask} and {@code react} walk the index: the beam width and whether
 * embeddings are recomputed. The number of results stays with each command, since each uses them
 * differently.
 */
final class SearchFlags {
  @Option(names = "--complexity", description = "Search beam width, ef (default ${DEFAULT-VALUE}).")
  int complexity;

  @Option(names = "--recompute", negatable = true,
      description = "Recompute embeddings of visited nodes (default: on for pruned indexes, off when vectors are stored).")
  Boolean recompute;

  /** @param complexity the command's default beam width, LEANN's: 64 to search, 32 to ask */
  SearchFlags(int complexity) {
    this.complexity = complexity;
  }
}
