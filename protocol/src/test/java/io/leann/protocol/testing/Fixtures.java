package io.leann.protocol.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the test data written by other systems' tools: the repository's {@code testdata/} (a copy
 * of {@code shared/fixtures}, so a clone anywhere runs the suite), found above the working directory.
 * Shared with the other modules' tests through protocol's test jar.
 */
public final class Fixtures {
  private Fixtures() {}

  /** {@code testdata/leann-python}: indexes written by the Python LEANN (see its README). */
  public static Path leannPython() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("testdata/leann-python");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("testdata/leann-python not found above " + Path.of("").toAbsolutePath());
  }
}
