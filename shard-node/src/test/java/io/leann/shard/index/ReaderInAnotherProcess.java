package io.leann.shard.index;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A reader in another process, for {@link IndexDirectoryTest}: takes the shared lock a lease takes
 * on {@code args[0]}, says so on stdout, and holds it until its stdin closes.
 */
public final class ReaderInAnotherProcess {
  private ReaderInAnotherProcess() {}

  public static void main(String[] args) throws IOException {
    try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.lock(0, Long.MAX_VALUE, true);
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Holds the lock until the parent closes our stdin (or dies).
      }
    }
  }
}
