package io.leann.protocol.index;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Publishing a file so that readers see either the old content or the complete new content, even
 * across a crash: write a temp file in the same directory, fsync it, rename it over the target,
 * fsync the directory so the rename itself is durable.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's content to the temp path it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path temp) throws IOException;
  }

  /**
   * Writes {@code target} atomically: {@code content} fills a temp file next to it, which is then
   * published; on any failure the temp file is removed and the old target is left as it was.
   */
  public static void write(Path target, Content content) throws IOException {
    Path temp = tempFor(target);
    try {
      content.writeTo(temp);
      publish(temp, target);
    } catch (IOException | RuntimeException e) {
      discard(temp);
      throw e;
    }
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, temp -> Files.write(temp, bytes));
  }

  /** A temp name next to {@code target}, unique to this process and call. */
  public static Path tempFor(Path target) {
    return target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
        + "-" + System.nanoTime());
  }

  /** fsyncs {@code temp}, renames it to {@code target} atomically and fsyncs the directory. */
  public static void publish(Path temp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot publish " + target + ": the file system has no atomic rename", e);
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /** Best-effort fsync of a directory entry list (not supported on every platform). */
  public static void syncDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open a directory as a channel; the rename is still atomic there.
    }
  }

  /** Deletes {@code temp} if it exists, ignoring failures: used on the error path only. */
  public static void discard(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // Already failing; the original error is the one worth reporting.
    }
  }
}
