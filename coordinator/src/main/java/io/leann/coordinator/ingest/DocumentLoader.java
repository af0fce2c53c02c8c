package io.leann.coordinator.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Entry point of document loading for {@code leann build}: turns input paths (any mix of
 * directories, walked recursively, and single files) into a lazy {@link DocumentStream}.
 *
 * <p>Inputs are made absolute, normalised, de-duplicated and sorted, so the same inputs in any
 * order load the same documents in the same order, with relative paths from the deepest directory
 * holding them all ({@link #commonRoot}). See {@link DocumentStream} for the walk rules.
 *
 * <p>Immutable and thread-safe; each {@link #open} returns an independent stream.
 */
public final class DocumentLoader {

  private final LoaderOptions options;

  public DocumentLoader(LoaderOptions options) {
    this.options = options;
  }

  /** A loader with {@link LoaderOptions#defaults()}. */
  public DocumentLoader() {
    this(LoaderOptions.defaults());
  }

  /**
   * A lazy stream over the documents under {@code inputs}; nothing is read until it is iterated.
   *
   * @throws IllegalArgumentException when {@code inputs} is empty
   */
  public DocumentStream open(List<Path> inputs) {
    TreeSet<Path> sorted = new TreeSet<>();
    for (Path input : inputs) {
      sorted.add(input.toAbsolutePath().normalize());
    }
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("no input paths");
    }
    return new DocumentStream(options, commonRoot(sorted), List.copyOf(sorted));
  }

  /**
   * The deepest directory holding every input: a directory input holds itself, anything else
   * (a file, or a path that does not exist) is held by its parent. One directory is its own root,
   * one file its parent, so relative paths stay what they were before several inputs shared a root.
   */
  static Path commonRoot(Iterable<Path> inputs) {
    Path common = null;
    for (Path input : inputs) {
      Path dir = Files.isDirectory(input) || input.getParent() == null ? input : input.getParent();
      if (common == null) {
        common = dir;
      } else {
        while (!dir.startsWith(common)) {
          common = common.getParent();
        }
      }
    }
    return common;
  }

  /** {@link #open(List)} for varargs callers. */
  public DocumentStream open(Path... inputs) {
    return open(Arrays.asList(inputs));
  }
}
