package io.leann.coordinator.local;

import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real index over six one-topic text files, built the way {@code leann build} builds one: the
 * shipped ONNX model, two shards, pruned for recomputation. Small enough to build in seconds on
 * two cores, distinct enough that the right file ranks first for a paraphrased query.
 */
public final class SmallIndex {
  /** File name to content; each file is one passage. */
  public static final Map<String, String> FILES = Map.of(
      "cats.txt",
      "Cats are small domesticated felines. A kitten purrs when it is content and loves to nap on a warm sofa.",
      "rockets.txt",
      "Rockets burn liquid fuel and oxidiser to produce thrust. The launch vehicle carried the satellite into orbit.",
      "bread.txt",
      "Sourdough bread rises with a starter of wild yeast. Bake the loaf in a hot Dutch oven until the crust is dark.",
      "ocean.txt",
      "Coral reefs in the ocean shelter thousands of fish species. Warming seas cause the coral to bleach.",
      "volcano.txt",
      "A volcano erupts when magma rises through the crust. Lava flows and ash clouds follow the eruption.",
      "chess.txt",
      "In chess the queen is the most powerful piece. Opening theory studies the first moves of the game.");

  private SmallIndex() {}

  /** Writes {@link #FILES} under {@code root/<name>-docs} and builds index {@code name} under {@code root}. */
  public static Path build(Path root, String name) throws IOException {
    Path docs = root.resolve(name + "-docs");
    Files.createDirectories(docs);
    for (Map.Entry<String, String> f : FILES.entrySet()) {
      Files.writeString(docs.resolve(f.getKey()), f.getValue());
    }
    rebuild(root, name, docs);
    return docs;
  }

  /** Builds (or incrementally rebuilds) index {@code name} under {@code root} from {@code docs}. */
  public static void rebuild(Path root, String name, Path docs) throws IOException {
    rebuild(root, name, docs, true);
  }

  /**
   * Builds (or incrementally rebuilds) index {@code name}; with {@code recompute} false the graphs keep
   * their vectors, so a search needs no model at all once the query is embedded. The index keeps its
   * embedding copy, which the corruption tests poison.
   */
  public static void rebuild(Path root, String name, Path docs, boolean recompute) throws IOException {
    BuildRequest request = new BuildRequest(IndexLayout.of(root, name), List.of(docs), LoaderOptions.defaults(),
        ChunkingOptions.defaults(), "sentence-transformers", Metric.COSINE, 16, 64, 32, 2, true, recompute, 2, false,
        32, List.of(name, "--docs", docs.toString()), null, 0, TextAnalyzer.DEFAULT, true);
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      new IndexBuilder(embedder, Progress.silent()).build(request);
    }
  }
}
