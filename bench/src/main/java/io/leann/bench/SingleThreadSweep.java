package io.leann.bench;

/**
 * Measures recall and single-thread throughput the way the Python peers do: one query per call,
 * warm-up passes over all queries (at least one, and for at least {@link #WARMUP_NANOS} so the JIT
 * has compiled the search even on a small query set), then one timed pass over all queries whose
 * results give the recall.
 */
final class SingleThreadSweep {
  /** A k-NN search at a given beam width, returning result ids closest first. */
  @FunctionalInterface
  interface Searcher {
    int[] search(float[] query, int ef);
  }

  private static final long WARMUP_NANOS = 1_000_000_000L;

  private SingleThreadSweep() {}

  static SweepPoint measure(Searcher searcher, float[][] queries, int[][] truth, int k, int ef) {
    long warmUntil = System.nanoTime() + WARMUP_NANOS;
    do {
      for (float[] query : queries) {
        searcher.search(query, ef);
      }
    } while (System.nanoTime() < warmUntil);
    int[][] found = new int[queries.length][];
    long start = System.nanoTime();
    for (int q = 0; q < queries.length; q++) {
      found[q] = searcher.search(queries[q], ef);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new SweepPoint(ef, GroundTruth.recall(found, truth, k), queries.length / seconds,
        Double.NaN);
  }
}
