package io.leann.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side table of ours against the peers. At each target recall a system's throughput
 * is taken at the smallest swept ef whose recall reaches the target (no interpolation; the cell
 * shows that ef and the recall actually reached, so a coarse grid's unevenness stays visible).
 * Ratios are ours / theirs: above 1 means we answer more queries per second, or, for build time
 * and size, that we take more. Each peer gets two QPS ratios: against its one-query-per-call loop
 * (the like-for-like number) and against its all-queries-in-one-call pass (its speed without the
 * Python interpreter's per-call overhead).
 */
final class Comparison {
  static final double[] TARGETS = {0.90, 0.95, 0.99};

  private Comparison() {}

  static void print(PrintStream out, SystemRun ours, List<SystemRun> peers) {
    printRecallAtEqualEf(out, ours, peers);
    out.println();
    out.println("== Comparison at matched recall: single-thread QPS at the smallest swept ef reaching"
        + " the target (not interpolated) ==");
    out.println("ratios are ours/theirs; per-call: against the peer's one-query-per-call loop (like"
        + " ours); batch: against the peer with all queries in one call (no Python call overhead)");
    StringBuilder head = new StringBuilder(
        String.format(Locale.ROOT, "%-7s %-28s", "recall", ours.name()));
    for (SystemRun peer : peers) {
      head.append(String.format(Locale.ROOT, " | %-28s %9s %11s", peer.name(), "per-call",
          "batch"));
    }
    out.println(head);
    for (double target : TARGETS) {
      SweepPoint mine = firstReaching(ours, target);
      StringBuilder row = new StringBuilder(
          String.format(Locale.ROOT, "%-7.2f %-28s", target, cell(mine)));
      for (SystemRun peer : peers) {
        SweepPoint theirs = firstReaching(peer, target);
        row.append(String.format(Locale.ROOT, " | %-28s %9s %11s", cell(theirs),
            ratio(mine, theirs == null ? Double.NaN : theirs.qps()),
            ratio(mine, theirs == null ? Double.NaN : theirs.batchQps())));
      }
      out.println(row);
    }
    out.println();
    out.printf(Locale.ROOT, "%-24s %10s %12s %12s %12s%n", "system", "build s", "ours/theirs",
        "index MiB", "ours/theirs");
    printBuild(out, ours, ours);
    for (SystemRun peer : peers) {
      printBuild(out, ours, peer);
    }
  }

  /**
   * Recall at each swept ef, all systems side by side: the graph's quality alone, which unlike QPS
   * does not depend on the machine's load.
   */
  private static void printRecallAtEqualEf(PrintStream out, SystemRun ours, List<SystemRun> peers) {
    out.println();
    out.println("== Recall at equal ef (deterministic for a given build; independent of load) ==");
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%6s %28s", "ef", ours.name()));
    for (SystemRun peer : peers) {
      head.append(String.format(Locale.ROOT, " %28s", peer.name()));
    }
    out.println(head);
    for (SweepPoint mine : ours.sweep()) {
      StringBuilder row = new StringBuilder(
          String.format(Locale.ROOT, "%6d %28.4f", mine.ef(), mine.recall()));
      for (SystemRun peer : peers) {
        SweepPoint theirs = atEf(peer, mine.ef());
        row.append(theirs == null ? String.format(Locale.ROOT, " %28s", "-")
            : String.format(Locale.ROOT, " %28.4f", theirs.recall()));
      }
      out.println(row);
    }
  }

  private static SweepPoint atEf(SystemRun run, int ef) {
    for (SweepPoint p : run.sweep()) {
      if (p.ef() == ef) {
        return p;
      }
    }
    return null;
  }

  private static void printBuild(PrintStream out, SystemRun ours, SystemRun run) {
    out.printf(Locale.ROOT, "%-24s %10.1f %11.2fx %12.1f %11.2fx%n", run.name(), run.buildSeconds(),
        ours.buildSeconds() / run.buildSeconds(), run.indexBytes() / 1048576.0,
        (double) ours.indexBytes() / run.indexBytes());
  }

  private static SweepPoint firstReaching(SystemRun run, double target) {
    for (SweepPoint p : run.sweep()) {
      if (p.recall() >= target) {
        return p;
      }
    }
    return null;
  }

  private static String cell(SweepPoint p) {
    return p == null ? "not reached"
        : String.format(Locale.ROOT, "%.0f (ef=%d, r=%.3f)", p.qps(), p.ef(), p.recall());
  }

  private static String ratio(SweepPoint mine, double theirQps) {
    return mine == null || Double.isNaN(theirQps) ? "-"
        : String.format(Locale.ROOT, "%.2fx", mine.qps() / theirQps);
  }
}
