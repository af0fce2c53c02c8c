package io.leann.protocol.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An index file is unreadable or disagrees with its siblings: wrong magic or version, truncated,
 * failing a checksum, or describing other rows than the meta file. The message starts with the
 * file; {@link #file()} and {@link #problem()} give the parts, so a server can name the file
 * relative to its index directory ({@link IndexCorruptException#of}).
 */
public class IndexFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  public IndexFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  public IndexFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file that failed to load. */
  public Path file() {
    return file;
  }

  /** What is wrong with {@link #file()}, without the file. */
  public String problem() {
    return problem;
  }
}
