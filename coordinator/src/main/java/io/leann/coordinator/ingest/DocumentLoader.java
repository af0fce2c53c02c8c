package io.leann.coordinator.ingest;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Entry point of document loading for {@code leann build}: turns input paths (any mix of
 * directories, walked recursively, and single files) into a lazy {@link DocumentStream}.
 *
 * <p>Inputs are made absolute, normalised, de-duplicated and sorted, so the same inputs in any
 * order load the same documents in the same order. See {@link DocumentStream} for the walk rules.
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

  /** A lazy stream over the documents under {@code inputs}; nothing is read until it is iterated. */
  public DocumentStream open(List<Path> inputs) {
    TreeSet<Path> sorted = new TreeSet<>();
    for (Path input : inputs) {
      sorted.add(input.toAbsolutePath().normalize());
    }
    return new DocumentStream(options, List.copyOf(sorted));
  }

  /** {@link #open(List)} for varargs callers. */
  public DocumentStream open(Path... inputs) {
    return open(Arrays.asList(inputs));
  }
}
