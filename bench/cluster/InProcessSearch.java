import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process baseline of bench/cluster-latency.sh: the same search the HTTP API answers (embed
 * the query text with the index's model, then search the stored vectors of every shard and merge),
 * through {@link IndexSearcher}, with no HTTP and no cluster in between.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp coordinator/target/leann.jar bench/cluster/InProcessSearch.java \
 *   INDEX_DIR INDEX QUERIES_FILE TOP_K COMPLEXITY SECONDS THREADS
 * </pre>
 *
 * Runs a warm-up of SECONDS/3, then one thread back to back for SECONDS (latency: p50, p99, mean
 * per search), then THREADS threads for SECONDS (throughput). Queries are taken in turn from
 * QUERIES_FILE (one per line). Prints one {@code key=value} line per phase.
 */
public final class InProcessSearch {
  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: InProcessSearch INDEX_DIR INDEX QUERIES_FILE TOP_K COMPLEXITY SECONDS THREADS");
      System.exit(2);
    }
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("LEANN_INDEX_DIR", args[0]);
    List<String> queries = Files.readAllLines(Path.of(args[2])).stream().filter(q -> !q.isBlank()).toList();
    int k = Integer.parseInt(args[3]);
    int ef = Integer.parseInt(args[4]);
    long nanos = Long.parseLong(args[5]) * 1_000_000_000L;
    int threads = Integer.parseInt(args[6]);
    try (IndexSearcher searcher = IndexSearcher.open(IndexRegistry.fromEnvironment(env).layout(args[1]), env)) {
      // Warm-up: JIT, ONNX Runtime session, page cache.
      long end = System.nanoTime() + nanos / 3;
      for (int i = 0; System.nanoTime() < end; i++) {
        check(searcher.search(queries.get(i % queries.size()), k, ef, false, null), k);
      }

      long[] samples = new long[1 << 20];
      int n = 0;
      end = System.nanoTime() + nanos;
      while (System.nanoTime() < end && n < samples.length) {
        long t0 = System.nanoTime();
        List<SearchHit> hits = searcher.search(queries.get(n % queries.size()), k, ef, false, null);
        samples[n++] = System.nanoTime() - t0;
        check(hits, k);
      }
      long[] sorted = Arrays.copyOf(samples, n);
      Arrays.sort(sorted);
      double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
      System.out.printf(Locale.ROOT, "in-process latency: requests=%d p50_ms=%.2f p99_ms=%.2f mean_ms=%.2f%n",
          n, pct(sorted, 50), pct(sorted, 99), mean);

      AtomicLong done = new AtomicLong();
      long stop = System.nanoTime() + nanos;
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int offset = t * 7;
        workers[t] = Thread.ofPlatform().start(() -> {
          try {
            for (int i = offset; System.nanoTime() < stop; i++) {
              check(searcher.search(queries.get(i % queries.size()), k, ef, false, null), k);
              done.incrementAndGet();
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        });
      }
      for (Thread w : workers) {
        w.join();
      }
      System.out.printf(Locale.ROOT, "in-process throughput: threads=%d requests=%d req_per_s=%.1f%n",
          threads, done.get(), done.get() / (nanos / 1e9));
    }
  }

  private static void check(List<SearchHit> hits, int k) {
    if (hits.size() != k) {
      throw new IllegalStateException("expected " + k + " hits, got " + hits.size());
    }
  }

  private static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }
}
