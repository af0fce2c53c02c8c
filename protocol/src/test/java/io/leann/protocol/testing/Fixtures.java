package io.leann.protocol.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds {@code shared/fixtures}: above the working directory, or beside a clone of the repo. Shared
 * with the other modules' tests through protocol's test jar.
 */
public final class Fixtures {
  private Fixtures() {}

  /** {@code shared/fixtures/leann-python}: indexes written by the Python LEANN (see its README). */
  public static Path leannPython() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      for (Path candidate : new Path[] {p.resolve("shared/fixtures"),
          p.resolveSibling("shared").resolve("fixtures")}) {
        if (Files.isDirectory(candidate)) {
          return candidate.resolve("leann-python");
        }
      }
    }
    throw new IllegalStateException(
        "shared/fixtures not found above " + Path.of("").toAbsolutePath());
  }
}
