package io.leann.coordinator.index;

import io.leann.protocol.index.IndexMeta;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The indexes under one root directory: {@code LEANN_INDEX_DIR}, else {@code ~/.leann/indexes}.
 * An index is a directory holding a meta file; anything else under the root is ignored.
 */
public final class IndexRegistry {
  private final Path root;

  public IndexRegistry(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The root named by {@code LEANN_INDEX_DIR} in {@code env}, else {@code ~/.leann/indexes}. */
  public static IndexRegistry fromEnvironment(Map<String, String> env) {
    String dir = env.get("LEANN_INDEX_DIR");
    Path root = dir != null && !dir.isBlank() ? Path.of(dir)
        : Path.of(System.getProperty("user.home"), ".leann", "indexes");
    return new IndexRegistry(root);
  }

  public Path root() {
    return root;
  }

  public IndexLayout layout(String name) {
    return IndexLayout.of(root, name);
  }

  /** The layout of an existing index; fails with the list of known names if there is none. */
  public IndexLayout existing(String name) throws IOException {
    IndexLayout layout = layout(name);
    if (!Files.isRegularFile(layout.meta())) {
      List<String> known = names();
      throw new NoSuchFileException(name, null, "no index named '" + name + "' under " + root
          + (known.isEmpty() ? " (there are none; build one with `leann build`)" : " (known: " + String.join(", ", known) + ")"));
    }
    return layout;
  }

  /** Names of the indexes under the root, sorted. */
  public List<String> names() throws IOException {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve(IndexLayout.META)))
          .sorted(Comparator.comparing(Path::toString))
          .forEach(d -> names.add(d.getFileName().toString()));
    }
    return names;
  }

  /** Summary of one index for {@code leann list}. */
  public record Entry(String name, IndexMeta meta, long bytesOnDisk) {}

  public Entry describe(String name) throws IOException {
    IndexLayout layout = existing(name);
    return new Entry(name, IndexMeta.read(layout.meta()), sizeOf(layout.dir()));
  }

  /** Deletes an index directory and everything in it; refused while a build of it runs. */
  public void remove(String name) throws IOException {
    IndexLayout layout = existing(name);
    try (IndexDirectory.Writer ignored = IndexDirectory.of(layout.dir()).lock(false)) {
      // Drop the meta first: from then on the index no longer exists even if a delete below fails.
      Files.delete(layout.meta());
      IndexDirectory.deleteTree(layout.dir());
    }
  }

  static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
