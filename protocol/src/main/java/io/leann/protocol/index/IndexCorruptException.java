package io.leann.protocol.index;

import io.leann.protocol.api.ApiException;
import java.io.File;
import java.nio.file.Path;

/**
 * An index's files fail verification: a checksum, a format version, or a cross-check between the
 * meta file, the passages and the graphs. Rendered as 500 {@code index_corrupt}: retrying cannot
 * help, only a rebuild (or restoring the files) can.
 *
 * <p>The message names the index and the file relative to the index directory, e.g.
 * {@code index 'docs' is corrupt: gen-3/documents.leann.passages.jsonl: row 17 fails its
 * checksum}, and never an absolute path or a class name, so it can be shown to any client.
 */
public final class IndexCorruptException extends ApiException {
  private static final long serialVersionUID = 1L;
  public static final int STATUS = 500;
  public static final String CODE = "index_corrupt";

  /** Rebuilds the exception from a message made by {@link #of} elsewhere (a shard node's reply). */
  public IndexCorruptException(String message) {
    super(STATUS, CODE, message);
  }

  private IndexCorruptException(String message, Throwable cause) {
    super(STATUS, CODE, message);
    initCause(cause);
  }

  /**
   * The corruption {@code e} found in index {@code index}, whose directory is {@code indexDir}.
   * Every occurrence of the directory in the problem is dropped, so only relative names remain.
   */
  public static IndexCorruptException of(String index, Path indexDir, IndexFormatException e) {
    Path dir = indexDir.toAbsolutePath().normalize();
    Path file = e.file() == null ? null : e.file().toAbsolutePath().normalize();
    String name = file == null ? "?" : file.startsWith(dir) ? dir.relativize(file).toString()
        : String.valueOf(file.getFileName());
    String problem = e.problem().replace(dir + File.separator, "").replace(dir.toString(), ".");
    return new IndexCorruptException("index '" + index + "' is corrupt: " + name + ": " + problem, e);
  }
}
