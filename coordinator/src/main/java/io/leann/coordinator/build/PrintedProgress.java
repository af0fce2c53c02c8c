package io.leann.coordinator.build;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@link Progress} for a person watching a build: a redrawn bar with rate and ETA on a terminal, a plain log line
 * every few seconds otherwise (so CI logs and pipes stay readable). Thread-safe: graph-build
 * threads report through it.
 */
final class PrintedProgress implements Progress {
  private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;
  private final PrintWriter err;
  private final boolean terminal;
  private String stage = "";
  private long total;
  private long started;
  private long lastPrint;

  PrintedProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public synchronized void stage(String name, long total) {
    this.stage = name;
    this.total = total;
    this.started = System.nanoTime();
    this.lastPrint = 0;
    if (!terminal) {
      err.println("[" + name + "] started" + (total > 0 ? " (" + total + ")" : ""));
      err.flush();
    }
  }

  @Override
  public synchronized void update(long done) {
    long now = System.nanoTime();
    if (terminal ? now - lastPrint < 100_000_000L : now - lastPrint < LOG_INTERVAL_NANOS) {
      return;
    }
    lastPrint = now;
    double secs = Math.max(1e-9, (now - started) / 1e9);
    double rate = done / secs;
    String eta = total > 0 && rate > 0 ? String.format(Locale.ROOT, ", ETA %.0fs", (total - done) / rate) : "";
    String counts = total > 0 ? done + "/" + total : String.valueOf(done);
    if (terminal) {
      int width = 30;
      int filled = total > 0 ? (int) Math.min(width, width * done / total) : 0;
      err.printf(Locale.ROOT, "\r%-12s [%s%s] %s (%.1f/s%s)   ", stage, "#".repeat(filled),
          " ".repeat(width - filled), counts, rate, eta);
    } else {
      err.printf(Locale.ROOT, "[%s] %s (%.1f/s%s)%n", stage, counts, rate, eta);
    }
    err.flush();
  }

  @Override
  public synchronized void done(String summary) {
    double secs = (System.nanoTime() - started) / 1e9;
    err.printf(Locale.ROOT, "%s[%s] %s in %.1fs%n", terminal ? "\r" : "", stage, summary, secs);
    err.flush();
  }

  @Override
  public synchronized void note(String line) {
    err.println(line);
    err.flush();
  }
}
