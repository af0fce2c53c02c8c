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
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source's own metadata ({@link IndexBuilder.OwnMetadata}, an API document's) lands on its
 * passages, over the chunker's keys; passages an earlier build wrote without it get it on the next
 * incremental build, which reuses their embeddings and is not "up to date" until they have it.
 */
class OwnMetadataRebuildTest {

  @TempDir
  Path root;

  @Test
  void ownMetadataIsAttachedToNewAndReusedPassages() throws IOException {
    Path inbox = Files.createDirectories(root.resolve("inbox"));
    Files.writeString(inbox.resolve("a.txt"), "The lighthouse keeper lights the lamp every night.");
    Files.writeString(inbox.resolve("b.txt"), "Tomatoes ripen on the vine in warm summer nights.");
    IndexLayout layout = IndexLayout.of(root.resolve("indexes"), "api");
    IndexBuilder.OwnMetadata own = doc -> doc.path().getFileName().toString().equals("a.txt")
        ? Map.of("author", "ann", Chunk.FILE_NAME, "lighthouse") : Map.of();

    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      // an older build that did not attach it
      BuildOutcome first = new IndexBuilder(embedder, Progress.silent()).build(request(layout, inbox));
      assertFalse(byFile(layout, first).get("a.txt").metadata().containsKey("author"));

      IndexBuilder builder = new IndexBuilder(embedder, null, Progress.silent(), own);
      BuildOutcome second = builder.build(request(layout, inbox));
      assertFalse(second.unchanged(), "passages that lack their document's metadata are a change to write");
      assertEquals(0, second.embedded(), "the texts did not change, so neither do their embeddings");
      Map<String, Object> a = byFile(layout, second).get("a.txt").metadata();
      assertEquals("ann", a.get("author"));
      assertEquals("lighthouse", a.get(Chunk.FILE_NAME), "the document's own keys win");
      assertFalse(byFile(layout, second).get("b.txt").metadata().containsKey("author"));

      assertTrue(builder.build(request(layout, inbox)).unchanged());
    }
  }

  private static BuildRequest request(IndexLayout layout, Path docs) {
    return new BuildRequest(layout, List.of(docs), LoaderOptions.defaults(), ChunkingOptions.defaults(),
        "sentence-transformers", Metric.COSINE, 16, 64, 32, 2, true, true, 1, false, 32,
        List.of("api", "--docs", docs.toString()), null, 0, true);
  }

  /** The passage of each file, by its relative path (one passage per file here). */
  private static Map<String, Passage> byFile(IndexLayout layout, BuildOutcome outcome) throws IOException {
    Path gen = layout.dir().resolve(IndexLayout.generation(outcome.generation()));
    try (PassageStore passages = PassageStore.open(gen.resolve(IndexLayout.PASSAGES),
        gen.resolve(IndexLayout.PASSAGE_INDEX))) {
      Map<String, Passage> byFile = new HashMap<>();
      passages.stream().forEach(p -> byFile.put(String.valueOf(p.metadata().get(Chunk.RELATIVE_PATH)), p));
      return byFile;
    }
  }
}
