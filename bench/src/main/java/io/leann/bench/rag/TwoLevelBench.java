package io.leann.bench.rag;

import com.typesafe.config.ConfigFactory;
import io.leann.bench.Plans;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.search.LocalIndex;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.HnswParams;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.pq.PqParams;
import io.leann.shard.recompute.ZmqRecomputer;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorDistances;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.zeromq.ZContext;

/**
 * Issue #7's table: recompute search over a pruned index at interactive speed. Takes a stored-vector
 * index built by {@code leann build --no-recompute} (its vectors are the ground truth and the
 * "stored-vector index" the sizes are compared with), builds the pruned graph of the same vectors
 * once (cached in the work dir), then for each setting of PQ size, hub budget, walk width and
 * recompute budget reports recall@3/@10 against exact search, exact recomputes per query and index
 * bytes. Recall and recompute counts use an embedder that returns the stored vectors, which is what
 * recompute returns bit for bit (per-text inference is deterministic; the latency rows check it);
 * latency rows then run the chosen settings through one and two real ZeroMQ embed workers.
 *
 * <p>usage: {@code TwoLevelBench <LEANN_INDEX_DIR> <index name> <work dir> <queries file>
 * [latency queries] [settings: pq:hub%:ef:budget[:stop margin],...]}
 */
public final class TwoLevelBench {
  private static final int K = 10;
  private static final List<float[]> truthDistances = new ArrayList<>();
  private static ArrayVectors storedVectors;
  private static final int BASELINE_EF = Integer.getInteger("baseline.ef", 64);

  private TwoLevelBench() {}

  /**
   * A row's knobs: PQ as {@code <subspaces>} (8-bit codes), {@code <subspaces>x<bits>}, or {@code auto}
   * (subspaces 0: the PQ a default build sizes to the corpus).
   */
  record Setting(int subspaces, int bits, double hubPercent, int ef, int budget, double stopMargin) {
    static Setting parse(String s) {
      String[] p = s.split(":");
      String[] pq = p[0].split("x");
      return new Setting(pq[0].equals("auto") ? 0 : Integer.parseInt(pq[0]),
          pq.length > 1 ? Integer.parseInt(pq[1]) : 8, Double.parseDouble(p[1]), Integer.parseInt(p[2]),
          Integer.parseInt(p[3]), p.length > 4 ? Double.parseDouble(p[4]) : 0);
    }

    TwoLevelOptions options() {
      return new TwoLevelOptions(budget, 0, 0, 0, stopMargin);
    }

    PqParams pq(int n, int dims, long prunedGraphBytes) {
      return subspaces == 0 ? GraphBuild.sizedPq(n, dims, prunedGraphBytes)
          : PqParams.forDims(dims, 32).withSubspaces(subspaces).withBits(bits);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "PQ %s, hubs %.1f%%, ef %d, budget %d%s",
          subspaces == 0 ? "sized" : subspaces + "x" + bits + "b", hubPercent, ef, budget,
          stopMargin > 0 ? ", stop margin " + stopMargin : "");
    }
  }

  public static void main(String[] args) throws Exception {
    IndexLayout layout = IndexLayout.of(Path.of(args[0]), args[1]);
    Path work = Files.createDirectories(Path.of(args[2]));
    List<String> queries = Files.readAllLines(Path.of(args[3])).stream().filter(l -> !l.isBlank()).toList();
    int latencyQueries = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    List<Setting> settings = new ArrayList<>();
    for (String s : (args.length > 5 ? args[5]
        : "24:0:64:100,24:0:128:100,48:0:64:100,48:0:128:100,24:1:128:100,48:1:128:50,48:1:128:100,48:1:256:100")
        .split(",")) {
      settings.add(Setting.parse(s));
    }
    try (LocalIndex stored = LocalIndex.open(layout); OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      HnswIndex storedIndex = (HnswIndex) stored.shardGraph(0);
      int n = storedIndex.size();
      int dims = storedIndex.dims();
      Path shardDir = layout.resolve(stored.meta().shards().get(0).graph()).getParent();
      long storedBytes = Files.size(layout.resolve(stored.meta().shards().get(0).graph()));
      long idsBytes = Files.size(layout.resolve(stored.meta().shards().get(0).ids()));
      long metaBytes = Files.size(layout.meta());
      System.out.printf(Locale.ROOT, "corpus: %d passages x %d dims (%s); stored-vector index: graph file %d B + ids %d B + meta %d B%n",
          n, dims, shardDir, storedBytes, idsBytes, metaBytes);
      long storedTotal = storedBytes + idsBytes + metaBytes;

      float[] all = new float[n * dims];
      float[] row = new float[dims];
      for (int i = 0; i < n; i++) {
        storedIndex.vectors().copyTo(i, row);
        System.arraycopy(row, 0, all, i * dims, dims);
      }
      ArrayVectors vectors = new ArrayVectors(all, dims);
      Path prunedFile = work.resolve("pruned-" + n + ".index");
      if (!Files.exists(prunedFile)) {
        long t = System.nanoTime();
        try (HnswIndex built = HnswIndex.build(new ArrayVectors(all.clone(), dims),
            new HnswParams(storedIndex.metric(), 32, 200, Runtime.getRuntime().availableProcessors(), 42),
            HnswIndex.BuildOptions.leannDefault(32))) {
          built.save(prunedFile);
        }
        System.out.printf(Locale.ROOT, "built the pruned graph in %.1f s%n", (System.nanoTime() - t) / 1e9);
      }
      try (HnswIndex pruned = HnswIndex.load(prunedFile)) {
        long prunedBytes = Files.size(prunedFile);
        System.out.printf(Locale.ROOT, "pruned graph (no vectors, no PQ): %d B = %.2f%% of the stored-vector index with ids and meta%n",
            prunedBytes, 100.0 * (prunedBytes + idsBytes + metaBytes) / storedTotal);
        List<float[]> qs = new ArrayList<>();
        List<int[]> truth = new ArrayList<>();
        truthDistances.clear();
        for (String q : queries) {
          float[] v = embedder.embed(List.of(q))[0];
          VectorDistances.normalize(v);
          qs.add(v);
          SearchResult exact = ExactSearch.search(storedIndex.vectors(), storedIndex.metric(), v, K);
          truth.add(exact.nodes());
          truthDistances.add(exact.distances());
        }
        storedVectors = vectors;
        java.nio.ByteBuffer qb = java.nio.ByteBuffer.allocate(qs.size() * dims * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        qs.forEach(v -> { for (float f : v) { qb.putFloat(f); } });
        Files.write(work.resolve("queries.f32"), qb.array());
        NodeEmbedder fromStored = (ids, count) -> {
          float[][] out = new float[count][];
          for (int i = 0; i < count; i++) {
            out[i] = Arrays.copyOfRange(all, ids[i] * dims, (ids[i] + 1) * dims);
          }
          return out;
        };
        System.out.printf(Locale.ROOT, "%d held-out queries, k=%d, cosine; recall vs exact search over the stored vectors%n", qs.size(), K);
        System.out.println();
        System.out.println("| setting | index bytes (% of stored) | recall@3 | recall@10 | recall@3 (ids) | recall@10 (ids) | exact recomputes/q | hub hits/q | PQ distances/q | walk ms/q |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int ef : new int[] {64, 128, 256, 512}) {
          Totals full = new Totals();
          Totals prunedWalk = new Totals();
          for (int i = 0; i < qs.size(); i++) {
            SearchResult a = Plans.stored(storedIndex, qs.get(i), K, ef);
            full.add(a, truth.get(i), truthDistances.get(i), exactDistances(qs.get(i), a));
            SearchResult b = Plans.recomputed(pruned, qs.get(i), K, ef, storedDistances(fromStored));
            prunedWalk.add(b, truth.get(i), truthDistances.get(i), exactDistances(qs.get(i), b));
          }
          System.out.printf(Locale.ROOT, "graph check, exact distances, ef %d: full graph recall@3 %.3f recall@10 %.3f; pruned graph recall@3 %.3f recall@10 %.3f (%.0f distances/q)%n",
              ef, full.tieRecall(3, qs.size()), full.tieRecall(K, qs.size()), prunedWalk.tieRecall(3, qs.size()),
              prunedWalk.tieRecall(K, qs.size()), prunedWalk.visited / (double) qs.size());
        }
        baseline(pruned, qs, truth, fromStored, prunedBytes + idsBytes + metaBytes, storedTotal);
        List<HnswIndex> variants = new ArrayList<>();
        for (Setting s : settings) {
          HnswIndex v = pruned.withTwoLevelData(vectors, s.pq(n, dims, prunedBytes), s.hubPercent() / 100);
          variants.add(v);
          long bytes = prunedBytes + v.pq().quantizer().byteSize() + v.pq().byteSize()
              + (v.hubs() == null ? 0 : v.hubs().byteSize()) + idsBytes + metaBytes;
          Totals t = new Totals();
          for (int i = 0; i < qs.size(); i++) {
            SearchResult r = Plans.twoLevel(v, qs.get(i), K, s.ef(), fromStored, null, s.options());
            t.add(r, truth.get(i), truthDistances.get(i), exactDistances(qs.get(i), r));
          }
          System.out.printf(Locale.ROOT, "| %s (%s) | %d (%.2f%%) | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.0f | %.2f |%n", s,
              v.pq().quantizer().describe(), bytes,
              100.0 * bytes / storedTotal, t.tieRecall(3, qs.size()), t.tieRecall(K, qs.size()), t.recall(3, qs.size()), t.recall(K, qs.size()), t.recomputed / (double) qs.size(),
              t.hubHits / (double) qs.size(), t.approximate / (double) qs.size(), t.graphNanos / 1e6 / qs.size());
        }
        HnswIndex compressed = variants.get(0);
        Totals pqOnly = new Totals();
        for (int i = 0; i < qs.size(); i++) {
          SearchResult r = Plans.pqOnly(compressed, qs.get(i), K, settings.get(0).ef());
          pqOnly.add(r, truth.get(i), truthDistances.get(i), exactDistances(qs.get(i), r));
        }
        System.out.printf(Locale.ROOT, "| compressed mode (%s, no recompute: ranked by PQ) | same | %.3f | %.3f | %.3f | %.3f | 0 | - | %.0f | %.2f |%n",
            settings.get(0), pqOnly.tieRecall(3, qs.size()), pqOnly.tieRecall(K, qs.size()), pqOnly.recall(3, qs.size()),
            pqOnly.recall(K, qs.size()), pqOnly.approximate / (double) qs.size(), pqOnly.graphNanos / 1e6 / qs.size());
        if (latencyQueries > 0) {
          latency(embedder, stored, pruned, variants, settings, qs.subList(0, Math.min(latencyQueries, qs.size())),
              fromStored);
        }
      }
    }
  }

  private static void baseline(HnswIndex pruned, List<float[]> qs, List<int[]> truth, NodeEmbedder fromStored,
      long bytes, long storedTotal) {
    Totals t = new Totals();
    int count = Math.min(qs.size(), 50);
    for (int i = 0; i < count; i++) {
      float[] q = qs.get(i);
      long[] recomputed = {0};
      SearchResult r = Plans.recomputed(pruned, q, K, BASELINE_EF, (query, ids, c, out) -> {
        float[][] v = fromStored.embeddings(ids, c);
        for (int j = 0; j < c; j++) {
          out[j] = -VectorDistances.dot(query, v[j]);
        }
        recomputed[0] += c;
      });
      t.add(r, truth.get(i), truthDistances.get(i), exactDistances(qs.get(i), r));
      t.recomputed += recomputed[0];
    }
    System.out.printf(Locale.ROOT, "| baseline: plain recompute walk, ef %d (%d queries) | %d (%.2f%%) | %.3f | %.3f | %.3f | %.3f | %.1f | 0 | 0 | - |%n",
        BASELINE_EF, count, bytes, 100.0 * bytes / storedTotal, t.tieRecall(3, count), t.tieRecall(K, count), t.recall(3, count), t.recall(K, count), t.recomputed / (double) count);
  }

  private static void latency(OnnxEmbedder embedder, LocalIndex stored, HnswIndex pruned, List<HnswIndex> variants,
      List<Setting> settings, List<float[]> qs, NodeEmbedder fromStored) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", ConfigFactory.load());
    EmbedSettings embedSettings = EmbedSettings.fromConfig(ConfigFactory.load());
    ServerSettings server = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0");
    List<RecomputeServer> workers = new ArrayList<>();
    try (ZContext context = new ZContext(1)) {
      for (int w = 0; w < 2; w++) {
        ActorRef<BatchCoalescer.Command> pool = system.systemActorOf(
            BatchCoalescer.create(embedder, embedSettings, new EmbedPoolMetrics(new SimpleMeterRegistry())), "pool-" + w, Props.empty());
        workers.add(RecomputeServer.start(server, EmbedClient.of(pool, system.scheduler(), embedder, embedSettings)));
      }
      System.out.println();
      System.out.printf(Locale.ROOT, "latency through real ZeroMQ embed workers (%d queries, after 3 warm-up queries; no cross-query cache):%n", qs.size());
      System.out.println("| setting | workers | p50 ms | p95 ms | recompute requests/q | same top-10 as the stored-vector run |");
      System.out.println("|---|---|---|---|---|---|");
      for (int workersUsed = 1; workersUsed <= 2; workersUsed++) {
        List<String> endpoints = workers.subList(0, workersUsed).stream().map(RecomputeServer::endpoint).toList();
        try (ZmqRecomputer r = new ZmqRecomputer(context, endpoints, node -> text(stored, node),
            Metric.COSINE, ZmqRecomputer.Options.defaults())) {
          int baselineQueries = Math.min(qs.size(), 10);
          double[] lat = new double[baselineQueries];
          for (int rep = 0; rep < 2; rep++) {
            for (int i = 0; i < (rep == 0 ? 2 : baselineQueries); i++) {
              long s = System.nanoTime();
              Plans.recomputed(pruned, qs.get(i), K, 64, r);
              lat[i] = (System.nanoTime() - s) / 1e6;
            }
          }
          System.out.printf(Locale.ROOT, "| baseline: plain recompute walk, ef 64 (%d queries) | %d | %.0f | %.0f | - | - |%n",
              baselineQueries, workersUsed, pct(lat, 0.5), pct(lat, 0.95));
          for (int v = 0; v < variants.size(); v++) {
            Setting s = settings.get(v);
            HnswIndex index = variants.get(v);
            TwoLevelOptions options = s.options();
            double[] latencies = new double[qs.size()];
            long requests = 0;
            int same = 0;
            for (int rep = 0; rep < 2; rep++) {
              requests = 0;
              same = 0;
              for (int i = 0; i < (rep == 0 ? 3 : qs.size()); i++) {
                long t0 = System.nanoTime();
                SearchResult res = Plans.twoLevel(index, qs.get(i), K, s.ef(), r, null, options);
                latencies[i] = (System.nanoTime() - t0) / 1e6;
                requests += res.stats().recomputeRequests();
                SearchResult ref = Plans.twoLevel(index, qs.get(i), K, s.ef(), fromStored, null, options);
                same += Arrays.equals(res.nodes(), ref.nodes()) ? 1 : 0;
              }
            }
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.1f | %d/%d |%n", s, workersUsed,
                pct(latencies, 0.5), pct(latencies, 0.95), requests / (double) qs.size(), same, qs.size());
          }
        }
      }
      cacheRun(variants.get(0), settings.get(0), qs, fromStored);
    } finally {
      workers.forEach(RecomputeServer::close);
      system.terminate();
    }
  }

  /** The same query stream twice through a 16 MiB cross-query cache: hit rate cold and warm. */
  private static void cacheRun(HnswIndex index, Setting s, List<float[]> qs, NodeEmbedder fromStored) {
    EmbeddingCache<Integer> cache = new EmbeddingCache<>(16L << 20);
    for (int pass = 1; pass <= 2; pass++) {
      long hits = 0;
      long recomputed = 0;
      for (float[] q : qs) {
        SearchStats st = Plans.twoLevel(index, q, K, s.ef(), fromStored, cache, s.options()).stats();
        hits += st.cacheHits();
        recomputed += st.recomputed();
      }
      System.out.printf(Locale.ROOT, "cross-query cache (16 MiB), %s, pass %d: %.1f cache hits/q, %.1f recomputes/q; cache %s%n",
          s, pass, hits / (double) qs.size(), recomputed / (double) qs.size(), cache.stats());
    }
  }

  private static io.leann.protocol.Recomputer storedDistances(NodeEmbedder fromStored) {
    return (query, ids, c, out) -> {
      float[][] v = fromStored.embeddings(ids, c);
      for (int j = 0; j < c; j++) {
        out[j] = -VectorDistances.dot(query, v[j]);
      }
    };
  }

  private static float[] exactDistances(float[] q, SearchResult r) {
    float[] d = new float[r.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = -storedVectors.dot(q, r.nodes()[i]);
    }
    return d;
  }

  private static double pct(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
  }

  private static String text(LocalIndex index, int node) {
    try {
      return index.passages().get(index.shardFirstRow(0) + node).text();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Totals {
    long hits3;
    long hits10;
    long recomputed;
    long hubHits;
    long visited;
    long approximate;
    long graphNanos;

    long tieHits3;
    long tieHits10;

    /**
     * Counts id matches, and distance matches as ann-benchmarks does: a result counts if its exact
     * distance is within 1e-4 of the k-th true one. The corpus has many identical passages (list
     * footers, quoted replies), whose ids are interchangeable at equal distance.
     */
    void add(SearchResult r, int[] truth, float[] truthDistances, float[] resultDistances) {
      for (int i = 0; i < r.size(); i++) {
        if (i < 3 && resultDistances[i] <= truthDistances[2] + 1e-4f) {
          tieHits3++;
        }
        if (resultDistances[i] <= truthDistances[truthDistances.length - 1] + 1e-4f) {
          tieHits10++;
        }
      }
      add(r, truth);
    }

    double tieRecall(int k, int queries) {
      return (k == 3 ? tieHits3 : tieHits10) / (double) (k * queries);
    }

    void add(SearchResult r, int[] truth) {
      for (int i = 0; i < r.size(); i++) {
        for (int t = 0; t < truth.length; t++) {
          if (r.nodes()[i] == truth[t]) {
            hits10++;
            if (i < 3 && t < 3) {
              hits3++;
            }
          }
        }
      }
      SearchStats st = r.stats();
      recomputed += st.recomputed();
      visited += st.distanceComputations();
      hubHits += st.hubHits();
      approximate += st.approximate();
      graphNanos += st.graphNanos();
    }

    double recall(int k, int queries) {
      return (k == 3 ? hits3 : hits10) / (double) (k * queries);
    }
  }
}
