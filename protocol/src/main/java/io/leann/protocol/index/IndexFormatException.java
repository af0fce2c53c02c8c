package io.leann.protocol.index;

import java.io.IOException;
import java.nio.file.Path;

/** An index file is unreadable: wrong magic or version, truncated, or failing a checksum. */
public class IndexFormatException extends IOException {
  private final transient Path file;

  public IndexFormatException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  /** The file that failed to load. */
  public Path file() {
    return file;
  }
}
