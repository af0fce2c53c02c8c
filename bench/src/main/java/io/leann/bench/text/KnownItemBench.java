package io.leann.bench.text;

import io.leann.coordinator.build.BuildOutcome;
import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.coordinator.search.LocalIndex;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.HybridFusion;
import io.leann.shard.text.KeywordIndex;
import io.leann.shard.text.KeywordIndexWriter;
import io.leann.shard.text.Scored;
import io.leann.shard.text.TextAnalyzer;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Retrieval quality of the keyword side of hybrid search, on a known-item set made by
 * {@code bench/corpus/known_items.py}: each e-mail subject is a query, its own message (chunked as
 * the build chunks it) the one relevant document; a hit is relevant when its passage comes from that
 * message. Reports MRR@10 and recall@10 (the share of queries whose message is in the top 10) for
 * dense search alone, BM25 alone with each {@link TextAnalyzer}, LEANN's min-max hybrid fusion at
 * several vector weights and reciprocal rank fusion (k = 60), each fusing the 20 best of both
 * lists as the engine does for k = 10; and for each analyzer the keyword index's build time and
 * bytes per passage.
 *
 * <p>The index is built once with stored vectors (dense results are those of the stored-vector
 * graph; recompute would rank the same vectors) with the build's default chunking.
 *
 * <p>usage: {@code KnownItemBench <known-items dir: docs/ and queries.tsv> <work dir>}
 */
public final class KnownItemBench {
  private static final int K = 10;
  /** What the engine fuses for k = 10. */
  private static final int DEPTH = HybridFusion.depth(K);
  private static final double[] WEIGHTS = {0.2, 0.4, 0.5, 0.6, 0.8};

  private KnownItemBench() {}

  /** One query and the file its relevant passages come from. */
  private record KnownItem(String file, String query) {}

  /** Summed reciprocal ranks and hits within the top {@value #K}. */
  private static final class Score {
    double reciprocalRanks;
    int found;

    void add(List<String> rankedFiles, String relevant) {
      int rank = rankedFiles.subList(0, Math.min(K, rankedFiles.size())).indexOf(relevant);
      if (rank >= 0) {
        reciprocalRanks += 1.0 / (rank + 1);
        found++;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Path set = Path.of(args[0]);
    Path work = Files.createDirectories(Path.of(args[1]));
    List<KnownItem> items = new ArrayList<>();
    for (String line : Files.readAllLines(set.resolve("queries.tsv"))) {
      int tab = line.indexOf('\t');
      items.add(new KnownItem(line.substring(0, tab), line.substring(tab + 1)));
    }
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      IndexLayout layout = IndexLayout.of(work, "known-items");
      if (Files.exists(layout.dir())) {
        IndexDirectory.deleteTree(layout.dir());
      }
      long t0 = System.nanoTime();
      BuildOutcome built = new IndexBuilder(embedder, Progress.printing(new PrintWriter(System.err, true), false)).build(
          new BuildRequest(layout, List.of(set.resolve("docs")), LoaderOptions.defaults(), ChunkingOptions.defaults(),
              "sentence-transformers", Metric.COSINE, 32, 100, 64, 2, true, false, 1, false, 64, List.of()));
      System.out.printf(Locale.ROOT, "index: %d passages from %d messages, built in %.1f s%n", built.passages(),
          built.files(), (System.nanoTime() - t0) / 1e9);
      try (LocalIndex index = LocalIndex.open(layout)) {
        run(embedder, index, items, work);
      }
    }
  }

  private static void run(OnnxEmbedder embedder, LocalIndex index, List<KnownItem> items, Path work) throws IOException {
    PassageStore passages = index.passages();
    String[] fileOfRow = new String[(int) passages.size()];
    for (int row = 0; row < fileOfRow.length; row++) {
      fileOfRow[row] = String.valueOf(passages.get(row).metadata().get(Chunk.FILE_NAME));
    }
    Map<TextAnalyzer, KeywordIndex> keywords = new EnumMap<>(TextAnalyzer.class);
    System.out.println("keyword index     build ms   bytes   bytes/passage");
    // Two rounds, the second timed: the first pays for class loading and JIT of whichever runs first.
    for (int round = 0; round < 2; round++) {
      for (TextAnalyzer a : TextAnalyzer.values()) {
        Path dir = work.resolve("keywords-" + a.id());
        if (Files.exists(dir)) {
          IndexDirectory.deleteTree(dir);
        }
        long t0 = System.nanoTime();
        KeywordIndexWriter.build(dir, a, passages);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (round == 1) {
          long bytes;
          try (Stream<Path> files = Files.list(dir)) {
            bytes = files.mapToLong(f -> f.toFile().length()).sum();
          }
          System.out.printf(Locale.ROOT, "lucene %-10s %8d %8d %10.1f%n", a.id(), ms, bytes,
              bytes / (double) fileOfRow.length);
          keywords.put(a, KeywordIndex.open(dir, a, passages));
        }
      }
    }

    List<String> texts = items.stream().map(KnownItem::query).toList();
    long t0 = System.nanoTime();
    float[][] vectors = embedder.embed(texts);
    System.out.printf(Locale.ROOT, "queries: %d embedded in %.1f s%n", texts.size(), (System.nanoTime() - t0) / 1e9);

    Map<String, Score> scores = new LinkedHashMap<>();
    for (int q = 0; q < items.size(); q++) {
      KnownItem item = items.get(q);
      VectorDistances.normalize(vectors[q]);
      List<SearchHit> dense = index.search(vectors[q], DEPTH, 64, null, null);
      List<Scored> denseScored = new ArrayList<>();
      Map<String, String> fileOfId = new HashMap<>();
      for (SearchHit h : dense) {
        denseScored.add(new Scored(h.id(), h.score()));
        fileOfId.put(h.id(), String.valueOf(h.metadata().get(Chunk.FILE_NAME)));
      }
      score(scores, "dense", denseScored, fileOfId, item);
      for (TextAnalyzer a : TextAnalyzer.values()) {
        Bm25Hits hits = keywords.get(a).search(item.query(), DEPTH);
        List<Scored> sparse = new ArrayList<>();
        for (int i = 0; i < hits.size(); i++) {
          String id = passages.id(hits.rows()[i]);
          sparse.add(new Scored(id, hits.scores()[i]));
          fileOfId.put(id, fileOfRow[hits.rows()[i]]);
        }
        score(scores, "bm25 " + a.id(), sparse, fileOfId, item);
        for (double w : WEIGHTS) {
          score(scores, "hybrid " + a.id() + " w=" + w, HybridFusion.fuse(denseScored, sparse, w, K), fileOfId, item);
        }
        score(scores, "rrf " + a.id() + " k=" + HybridFusion.RRF_K, HybridFusion.rrf(denseScored, sparse, K), fileOfId,
            item);
      }
    }
    for (KeywordIndex k : keywords.values()) {
      k.close();
    }
    System.out.printf(Locale.ROOT, "%-26s %7s %10s%n", "method (" + items.size() + " queries)", "MRR@10", "recall@10");
    scores.forEach((method, s) -> System.out.printf(Locale.ROOT, "%-26s %7.3f %10.3f%n", method,
        s.reciprocalRanks / items.size(), s.found / (double) items.size()));
  }

  private static void score(Map<String, Score> scores, String method, List<Scored> ranked, Map<String, String> fileOfId,
      KnownItem item) {
    List<String> files = ranked.stream().map(s -> fileOfId.get(s.id())).toList();
    scores.computeIfAbsent(method, m -> new Score()).add(files, item.file());
  }
}
