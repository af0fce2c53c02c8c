package io.leann.coordinator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relative_path} depends on a build's inputs, not only on the file: an incremental rebuild
 * with other inputs reuses the unchanged files' embeddings (from the embedding copy it keeps) but not
 * their old relative paths, even when the set of files, and so the manifest, is the same.
 */
class RelativePathRebuildTest {

  @TempDir
  Path root;

  @Test
  void reusedPassagesTakeTheRelativePathOfTheNewInputs() throws IOException {
    Path doc = root.resolve("doc");
    Files.createDirectories(doc.resolve("bash"));
    Files.createDirectories(doc.resolve("empty"));
    Files.copy(Path.of("/usr/share/doc/bash/copyright"), doc.resolve("bash/copyright"));
    IndexLayout layout = IndexLayout.of(root.resolve("indexes"), "docs");

    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      IndexBuilder builder = new IndexBuilder(embedder, Progress.silent());
      BuildOutcome first = builder.build(request(layout, List.of(doc.resolve("bash"))));
      assertEquals(Set.of("copyright"), relativePaths(layout, first));

      // Same file, same bytes; only the common root of the inputs moves up to doc/.
      BuildOutcome second = builder.build(request(layout, List.of(doc.resolve("bash"), doc.resolve("empty"))));
      assertFalse(second.unchanged(), "moved relative paths are a change to write");
      assertEquals(0, second.embedded(), "the text did not change, so neither do its embeddings");
      assertEquals(first.passages(), second.reused());
      assertEquals(Set.of("bash/copyright"), relativePaths(layout, second));

      BuildOutcome third = builder.build(request(layout, List.of(doc.resolve("bash"), doc.resolve("empty"))));
      assertTrue(third.unchanged());
    }
  }

  private static BuildRequest request(IndexLayout layout, List<Path> docs) {
    return new BuildRequest(layout, docs, LoaderOptions.defaults(), ChunkingOptions.defaults(), "sentence-transformers",
        Metric.COSINE, 16, 64, 32, 2, true, true, 1, false, 32, List.of("docs", "--docs", docs.toString()), null, 0,
        TextAnalyzer.DEFAULT, true);
  }

  private static Set<String> relativePaths(IndexLayout layout, BuildOutcome outcome) throws IOException {
    Path gen = layout.dir().resolve(IndexLayout.generation(outcome.generation()));
    try (PassageStore passages = PassageStore.open(gen.resolve(IndexLayout.PASSAGES),
        gen.resolve(IndexLayout.PASSAGE_INDEX))) {
      Set<String> paths = new TreeSet<>();
      passages.stream().forEach(p -> paths.add(String.valueOf(p.metadata().get(Chunk.RELATIVE_PATH))));
      return paths;
    }
  }
}
