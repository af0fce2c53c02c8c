package io.leann.protocol.pickle;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A pickle is malformed or holds something other than what the reader accepts. The message names
 * the file and the byte offset of the offending opcode.
 */
public final class PickleException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String where;

  public PickleException(Path file, long position, String problem) {
    super(file + ": pickle byte " + position + ": " + problem);
    this.file = file;
    this.where = "pickle byte " + position + ": " + problem;
  }

  /** The message without the file name: the byte offset and the problem. */
  public String problem() {
    return where;
  }

  /** The file that failed to parse. */
  public Path file() {
    return file;
  }
}
