package io.leann.coordinator.build;

import java.io.PrintWriter;

/**
 * Where the build pipeline ({@link IndexBuilder}) reports its stages (chunk, embed, graph, bm25):
 * a terminal or log ({@link #printing}), an API job's status. Implementations are thread-safe:
 * graph-build threads report through them.
 */
public interface Progress {
  /** Starts a stage of {@code total} units (0 if unknown). */
  void stage(String name, long total);

  /** {@code done} units of the current stage are done. */
  void update(long done);

  /** Ends the stage with a summary line. */
  void done(String summary);

  /** A free-form line (warnings, reports). */
  void note(String line);

  /** Progress that reports nothing. */
  static Progress silent() {
    return printing(new PrintWriter(java.io.OutputStream.nullOutputStream()), false);
  }

  /** A bar redrawn in place on a terminal, a plain line every few seconds otherwise. */
  static Progress printing(PrintWriter err, boolean terminal) {
    return new PrintedProgress(err, terminal);
  }
}
