package io.leann.bench;

import io.leann.bench.data.Dataset;
import io.leann.bench.data.Datasets;
import io.leann.bench.jvm.JvmPeer;
import io.leann.shard.hnsw.HnswBuilder;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswIndex.BuildOptions;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.OnHeapGraph;
import io.leann.shard.hnsw.PruneParams;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import java.util.stream.Stream;

/**
 * The ANN comparison run, ann-benchmarks style: loads a data set, computes exact ground truth,
 * builds our HNSW index (same M, efConstruction and thread count as the peers), reports build
 * time, sizes and peak heap, sweeps ef for recall@k and single-thread QPS, checks recompute mode
 * (and, with {@code --prune}, the pruned LEANN graph), then runs the peers on the same vectors
 * (Lucene and jvector in this JVM, hnswlib and FAISS in Debian's Python) and prints recall at
 * equal ef and a table at matched recall.
 *
 * <p>The unpruned and the pruned index are frozen from one built graph ({@link HnswBuilder} then
 * {@link HnswIndex#fromBuilt} twice, unpruned first since pruning edits the graph in place), so the
 * pruned numbers differ from the full ones by the pruning alone. Cosine data come normalised from
 * the loader, which is what {@link HnswIndex#build} would do before building.
 *
 * <p>Report on standard output; progress on standard error.
 */
public final class AnnHarness {
  private static final String OURS = "leann-jvm";

  private final HarnessOptions options;
  private final PrintStream out;

  private AnnHarness(HarnessOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  public static void main(String[] args) {
    HarnessOptions options;
    try {
      options = HarnessOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(HarnessOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.print(HarnessOptions.USAGE);
      return;
    }
    try {
      new AnnHarness(options, System.out).run();
    } catch (IOException | UncheckedIOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  private void run() throws IOException {
    Path scratch = Files.createTempDirectory("leann-bench-");
    try {
      runIn(scratch);
    } finally {
      try (Stream<Path> files = Files.walk(scratch)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private void runIn(Path scratch) throws IOException {
    Dataset data = Datasets.load(options.dataset(), Datasets.defaultDataDir())
        .limit(options.train(), options.queries());
    printHeader(data);
    float[][] queries = data.queries();
    ArrayVectors vectors = new ArrayVectors(data.train(), data.dims());

    long start = System.nanoTime();
    int[][] truth = GroundTruth.exact(vectors, data.metric(), queries, options.k());
    out.printf(Locale.ROOT, "ground truth: exact search of %d queries in %.1f s (parallel, untimed)%n",
        queries.length, seconds(start));

    SystemRun ours = measureOurs(data, vectors, queries, truth, scratch);

    List<SystemRun> peers = new ArrayList<>();
    PeerRunner runner = null;
    for (String peer : options.peers()) {
      System.err.println("running peer " + peer + " ...");
      JvmPeer inJvm = JvmPeer.create(peer);
      SystemRun run;
      if (inJvm != null) {
        run = measureInJvm(inJvm, data, queries, truth);
      } else {
        if (runner == null) {
          runner = PeerRunner.prepare(options, data, truth, scratch);
        }
        run = runner.run(peer);
      }
      printSweep(run);
      peers.add(run);
    }
    Comparison.print(out, ours, peers);
    out.printf(Locale.ROOT, "%nload average at the end: %.2f (other work on the machine skews QPS)%n",
        loadAverage());
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private void printHeader(Dataset data) {
    out.println("== LEANN-JVM ANN benchmark ==");
    out.printf(Locale.ROOT, "date: %s, JVM %s, %d cores, SIMD float lanes: %d, load average: %.2f%n",
        LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS), Runtime.version(),
        Runtime.getRuntime().availableProcessors(), VectorDistances.lanes(), loadAverage());
    out.printf(Locale.ROOT, "dataset: %s, n=%d, dims=%d, metric=%s, queries=%d, k=%d%n",
        data.name(), data.trainSize(), data.dims(), data.metric(), data.testSize(), options.k());
    out.printf(Locale.ROOT, "HNSW: M=%d (level 0: %d), efConstruction=%d, build threads=%d; "
        + "searches single-threaded, one query per call%n",
        options.m(), 2 * options.m(), options.efConstruction(), options.threads());
  }

  private SystemRun measureOurs(Dataset data, ArrayVectors vectors, float[][] queries,
      int[][] truth, Path scratch) throws IOException {
    HnswParams params = new HnswParams(data.metric(), options.m(), options.efConstruction(),
        options.threads(), HnswParams.DEFAULT_SEED);
    HeapPeak heap = HeapPeak.start();
    long start = System.nanoTime();
    OnHeapGraph built = HnswBuilder.build(vectors, params, progress(vectors.size()));
    HnswIndex full = HnswIndex.fromBuilt(built, vectors, data.metric(), BuildOptions.withVectors());
    double buildSeconds = seconds(start);
    long peakHeap = heap.peakBytes();
    long fileBytes = savedSize(full, scratch.resolve("full.index"));
    out.println();
    out.println("== " + OURS + " build ==");
    out.printf(Locale.ROOT, "build: %.1f s with %d threads%n", buildSeconds, options.threads());
    out.println("index: graph " + Units.bytes(full.graph().byteSize()) + " (off-heap), vectors "
        + Units.bytes(vectors.byteSize()) + ", file on disk " + Units.bytes(fileBytes));
    long result = full.byteSize();
    out.printf(Locale.ROOT, "peak heap during build: %s (sum of heap pool peaks; %s in use before,"
        + " incl. the data set); vectors+graph %s; peak/(vectors+graph) = %.2f%n",
        Units.bytes(peakHeap), Units.bytes(heap.baselineBytes()), Units.bytes(result),
        (double) peakHeap / result);

    try (full; HnswIndex pruned = options.prune()
        ? prune(built, vectors, data, full.graph().byteSize()) : null) {
      return sweep(full, pruned, vectors, queries, truth, buildSeconds, fileBytes);
    }
  }

  private HnswIndex prune(OnHeapGraph built, ArrayVectors vectors, Dataset data, long fullGraphBytes) {
    PruneParams prune = PruneParams.forBuildDegree(options.m());
    long start = System.nanoTime();
    HnswIndex pruned = HnswIndex.fromBuilt(built, vectors, data.metric(),
        new BuildOptions(true, prune, true));
    out.printf(Locale.ROOT, "pruned (hub degree %d, degree %d, %.0f%% hubs): %.1f s; graph %s "
        + "(what a LEANN index stores: no vectors), %.1f%% of the full graph%n",
        prune.hubDegree(), prune.degree(), prune.hubFraction() * 100, seconds(start),
        Units.bytes(pruned.graph().byteSize()), 100.0 * pruned.graph().byteSize() / fullGraphBytes);
    return pruned;
  }

  private SystemRun sweep(HnswIndex full, HnswIndex pruned, ArrayVectors vectors,
      float[][] queries, int[][] truth, double buildSeconds, long fileBytes) {
    int k = options.k();
    out.println();
    out.println("== " + OURS + " ef sweep: recall@" + k + ", single-thread QPS ==");
    out.println(pruned == null ? String.format(Locale.ROOT, "%6s %8s %10s", "ef", "recall", "QPS")
        : String.format(Locale.ROOT, "%6s %8s %10s %15s %12s", "ef", "recall", "QPS",
            "pruned recall", "pruned QPS"));
    List<SweepPoint> points = new ArrayList<>();
    for (int ef : options.efs()) {
      SweepPoint p = SingleThreadSweep.measure((q, e) -> Plans.stored(full, q, k, e).nodes(),
          queries, truth, k, ef);
      points.add(p);
      String line = String.format(Locale.ROOT, "%6d %8.4f %10.0f", ef, p.recall(), p.qps());
      if (pruned != null) {
        SweepPoint pp = SingleThreadSweep.measure((q, e) -> Plans.stored(pruned, q, k, e).nodes(),
            queries, truth, k, ef);
        line += String.format(Locale.ROOT, " %15.4f %12.0f", pp.recall(), pp.qps());
      }
      out.println(line);
    }

    VectorRecomputer recomputer = new VectorRecomputer(vectors, full.metric());
    out.println();
    out.println("== recompute mode (in-process VectorRecomputer) at ef=" + options.recomputeEf()
        + " ==");
    printRecompute("full graph", RecomputeCheck.run(full, recomputer, queries, truth, k,
        options.recomputeEf()));
    if (pruned != null) {
      printRecompute("pruned graph", RecomputeCheck.run(pruned, recomputer, queries, truth, k,
          options.recomputeEf()));
    }
    return new SystemRun(OURS, buildSeconds, fileBytes, points, "");
  }

  /** Builds an in-JVM peer with our settings and sweeps it like ours. */
  private SystemRun measureInJvm(JvmPeer peer, Dataset data, float[][] queries, int[][] truth)
      throws IOException {
    long start = System.nanoTime();
    peer.build(data, options.m(), options.efConstruction(), options.threads());
    double buildSeconds = seconds(start);
    int k = options.k();
    List<SweepPoint> points = new ArrayList<>();
    for (int ef : options.efs()) {
      points.add(SingleThreadSweep.measure((q, e) -> peer.search(q, k, e), queries, truth, k, ef));
    }
    return new SystemRun(peer.name(), buildSeconds, peer.graphBytes(), points,
        "in this JVM; " + peer.settings() + "; size: graph heap bytes, no file");
  }

  private void printRecompute(String label, RecomputeCheck c) {
    out.printf(Locale.ROOT, "%s: recall stored %.4f, recompute %.4f; identical results on %.1f%% of"
        + " queries; per query: %.0f distances (stored), %.0f embeddings recomputed in %.1f requests%n",
        label, c.storedRecall(), c.recomputeRecall(), 100 * c.identicalShare(),
        c.storedDistancesPerQuery(), c.recomputedPerQuery(), c.requestsPerQuery());
  }

  private void printSweep(SystemRun run) {
    out.println();
    out.printf(Locale.ROOT, "== %s: build %.1f s, index file %s ==%n", run.name(),
        run.buildSeconds(), Units.bytes(run.indexBytes()));
    if (!run.notes().isEmpty()) {
      out.println("notes: " + run.notes());
    }
    out.printf(Locale.ROOT, "%6s %8s %10s %24s%n", "ef", "recall", "QPS", "QPS, all in one call");
    for (SweepPoint p : run.sweep()) {
      out.printf(Locale.ROOT, "%6d %8.4f %10.0f %24.0f%n", p.ef(), p.recall(), p.qps(), p.batchQps());
    }
  }

  private static long savedSize(HnswIndex index, Path file) throws IOException {
    index.save(file);
    long size = Files.size(file);
    Files.delete(file);
    return size;
  }

  /** Prints build progress to standard error every tenth of the nodes. */
  private static IntConsumer progress(int n) {
    int step = Math.max(1, n / 10);
    long start = System.nanoTime();
    return inserted -> {
      if (inserted % step == 0) {
        System.err.printf(Locale.ROOT, "  build: %d/%d nodes, %.0f s%n", inserted, n, seconds(start));
      }
    };
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
