package io.leann.bench.process;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command (npm, the Python peers) with a deadline. Standard error goes to ours so
 * the user sees the child's progress; standard output is captured for parsing. Every live child is
 * tracked by its process: on a timeout, an interrupt, or the JVM shutting down (Ctrl-C), the child
 * and its descendants are killed by pid rather than left running.
 */
public final class Subprocess {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Subprocess::kill),
        "leann-bench-subprocess-reaper"));
  }

  private Subprocess() {}

  /** Exit code and captured standard output of a finished command. */
  public record Result(List<String> command, long pid, int exitCode, String stdout) {
    /** Returns this result, or throws naming the command if it exited non-zero. */
    public Result requireSuccess() throws IOException {
      if (exitCode != 0) {
        throw new IOException(String.join(" ", command) + " (pid " + pid + ") exited with code "
            + exitCode + " (its error output is above)");
      }
      return this;
    }
  }

  /**
   * Runs {@code command} to completion within {@code timeout}.
   *
   * @throws IOException if the program cannot be started (message names it), or it timed out and
   *     was killed
   */
  public static Result run(List<String> command, Duration timeout) throws IOException {
    Path out = Files.createTempFile("leann-bench-", ".stdout");
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(Redirect.INHERIT)
          .start();
    } catch (IOException e) {
      Files.deleteIfExists(out);
      throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    LIVE.add(process);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new IOException(String.join(" ", command) + " (pid " + process.pid()
            + ") did not finish within " + timeout.toSeconds() + " s and was killed");
      }
      return new Result(command, process.pid(), process.exitValue(), Files.readString(out));
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for pid " + process.pid());
    } finally {
      LIVE.remove(process);
      Files.deleteIfExists(out);
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
