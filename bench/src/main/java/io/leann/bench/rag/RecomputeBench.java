package io.leann.bench.rag;

import com.typesafe.config.ConfigFactory;
import io.leann.bench.Plans;
import io.leann.coordinator.build.BuildOutcome;
import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.coordinator.search.LocalIndex;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.Metric;
import io.leann.shard.hnsw.ExactSearch;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.recompute.ZmqRecomputer;
import io.leann.shard.vector.VectorDistances;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.zeromq.ZContext;

/**
 * LEANN's trade on real text: build an index over a folder of documents once with stored vectors
 * and once pruned (the second build reuses the first one's embeddings), compare storage, then run
 * held-out queries through the pruned graph with embeddings recomputed by one and by two real
 * ZeroMQ embed workers: nodes recomputed per query, p50/p95 latency, recall@3 against exact search
 * over the stored vectors. Also reports build throughput, the figure the CLI's build is judged on.
 *
 * <p>usage: {@code RecomputeBench <docs dir> <work dir> <queries file: one query per line> [max queries]}
 */
public final class RecomputeBench {
  private RecomputeBench() {}

  public static void main(String[] args) throws Exception {
    Path docs = Path.of(args[0]);
    Path work = Files.createDirectories(Path.of(args[1]));
    List<String> queries = Files.readAllLines(Path.of(args[2])).stream().filter(l -> !l.isBlank())
        .limit(args.length > 3 ? Integer.parseInt(args[3]) : Long.MAX_VALUE).toList();
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      IndexLayout layout = IndexLayout.of(work, "bench");
      long t0 = System.nanoTime();
      BuildOutcome stored = build(embedder, layout, docs, false);
      double buildSecs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "build (stored vectors): %d passages from %d files in %.1f s = %.1f chunks/s (embedding dominates; see the stage lines above)%n",
          stored.passages(), stored.files(), buildSecs, stored.passages() / buildSecs);
      try (LocalIndex storedIndex = LocalIndex.open(layout)) {
        long storedGraph = Files.size(layout.resolve(storedIndex.meta().shards().get(0).graph()));
        long t1 = System.nanoTime();
        build(embedder, layout, docs, true);
        System.out.printf(Locale.ROOT, "rebuild pruned from the embedding cache: %.1f s%n", (System.nanoTime() - t1) / 1e9);
        try (LocalIndex pruned = LocalIndex.open(layout)) {
          Path prunedGraph = layout.resolve(pruned.meta().shards().get(0).graph());
          long prunedBytes = Files.size(prunedGraph) + Files.size(layout.meta());
          System.out.printf(Locale.ROOT, "storage: stored-vector graph file %d B; pruned graph + meta %d B = %.2f%% of it%n",
              storedGraph, prunedBytes, 100.0 * prunedBytes / storedGraph);
          run(embedder, storedIndex, pruned, queries);
        }
      }
    }
  }

  private static BuildOutcome build(OnnxEmbedder embedder, IndexLayout layout, Path docs, boolean recompute)
      throws IOException {
    return new IndexBuilder(embedder, Progress.printing(new PrintWriter(System.err, true), false)).build(
        new BuildRequest(layout, List.of(docs), LoaderOptions.defaults(), ChunkingOptions.defaults(),
            "sentence-transformers", Metric.COSINE, 32, 200, 64, 2, true, recompute, 1, false, 64, List.of()));
  }

  private static void run(OnnxEmbedder embedder, LocalIndex stored, LocalIndex pruned, List<String> queries)
      throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", ConfigFactory.load());
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    ServerSettings server = ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0");
    List<RecomputeServer> workers = new ArrayList<>();
    try (ZContext context = new ZContext(1)) {
      for (int w = 0; w < 2; w++) {
        ActorRef<BatchCoalescer.Command> pool = system.systemActorOf(
            BatchCoalescer.create(embedder, settings, new EmbedPoolMetrics(new SimpleMeterRegistry())), "pool-" + w,
            org.apache.pekko.actor.typed.Props.empty());
        workers.add(RecomputeServer.start(server, EmbedClient.of(pool, system.scheduler(), embedder, settings)));
      }
      SearchableIndex exactSource = stored.shardGraph(0);
      SearchableIndex graph = pruned.shardGraph(0);
      List<float[]> qs = new ArrayList<>();
      List<int[]> truth = new ArrayList<>();
      for (String q : queries) {
        float[] v = embedder.embed(List.of(q))[0];
        VectorDistances.normalize(v);
        qs.add(v);
        truth.add(ExactSearch.search(exactSource.vectors(), exactSource.metric(), v, 3).nodes());
      }
      System.out.printf(Locale.ROOT, "%d queries, ef=64, k=3; pruned graph of %d nodes%n", qs.size(), graph.size());
      System.out.println("workers  recall@3  nodes recomputed/query  requests/query  p50 ms  p95 ms");
      for (int n = 1; n <= 2; n++) {
        List<String> endpoints = workers.subList(0, n).stream().map(RecomputeServer::endpoint).toList();
        double[] latencies = new double[qs.size()];
        long hits = 0;
        long recomputed = 0;
        long requests = 0;
        for (int rep = 0; rep < 2; rep++) { // a short first pass warms up, the second is measured
          hits = 0;
          recomputed = 0;
          requests = 0;
          for (int i = 0; i < (rep == 0 ? Math.min(3, qs.size()) : qs.size()); i++) {
            try (ZmqRecomputer r = new ZmqRecomputer(context, endpoints, node -> text(pruned, node),
                Metric.COSINE, ZmqRecomputer.Options.defaults())) {
              long s = System.nanoTime();
              SearchResult res = Plans.recomputed(graph, qs.get(i), 3, 64, r);
              latencies[i] = (System.nanoTime() - s) / 1e6;
              recomputed += r.stats().nodesRecomputed();
              requests += r.stats().requests();
              for (int node : res.nodes()) {
                for (int t : truth.get(i)) {
                  hits += node == t ? 1 : 0;
                }
              }
            }
          }
        }
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%7d  %8.3f  %22.1f  %14.1f  %6.0f  %6.0f%n", n, hits / (3.0 * qs.size()),
            recomputed / (double) qs.size(), requests / (double) qs.size(),
            sorted[sorted.length / 2], sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]);
      }
    } finally {
      workers.forEach(RecomputeServer::close);
      system.terminate();
    }
  }

  private static String text(LocalIndex index, int node) {
    try {
      return index.passages().get(index.shardFirstRow(0) + node).text();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
