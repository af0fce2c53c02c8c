package io.leann.coordinator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.coordinator.search.LocalIndex;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * By default an index keeps no full-precision embedding copy: its generation holds no
 * {@code embeddings.f32}, a changed file makes the next build embed every passage again (and search
 * finds the change), an unchanged one is still a no-op. {@code keepEmbeddings} keeps the copy, says
 * so in the meta, and lets a changed file re-embed only itself. An API ingest always keeps one.
 */
class EmbeddingCopyTest {

  @TempDir
  Path root;

  @Test
  void theDefaultIndexHasNoEmbeddingCopyAndRebuildsCorrectlyWithoutOne() throws IOException {
    Path docs = docs();
    IndexLayout layout = IndexLayout.of(root.resolve("indexes"), "plain");
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      IndexBuilder builder = new IndexBuilder(embedder, Progress.silent());
      BuildOutcome first = builder.build(request(layout, docs, false));
      assertFalse(Files.exists(copy(layout, first)), "no embedding copy by default");
      assertFalse(Files.exists(EmbeddingSpool.checksumFile(copy(layout, first))));
      IndexMeta meta = IndexMeta.read(layout.meta());
      assertFalse(meta.keepsEmbeddingCopy());
      assertEquals("no pq", meta.vectorCodes(), "three passages are too few to train a codebook on");

      assertTrue(builder.build(request(layout, docs, false)).unchanged(), "no change needs no embeddings");

      Files.writeString(docs.resolve("tea.txt"), "Green tea leaves are steamed, rolled and dried before brewing.");
      BuildOutcome second = builder.build(request(layout, docs, false));
      assertEquals(second.passages(), second.embedded(), "without a copy every passage is embedded again");
      assertEquals(0, second.reused());
      assertFalse(Files.exists(copy(layout, second)));
      assertEquals("tea.txt", top(embedder, layout, "how is green tea processed before brewing"));
      assertEquals("lighthouse.txt", top(embedder, layout, "who lights the lamp at night"));
    }
  }

  @Test
  void keptCopyIsRecordedAndReusedForUnchangedFiles() throws IOException {
    Path docs = docs();
    IndexLayout layout = IndexLayout.of(root.resolve("indexes"), "kept");
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      IndexBuilder builder = new IndexBuilder(embedder, Progress.silent());
      BuildOutcome plain = builder.build(request(layout, docs, false));

      // Turning the copy on is a change: the graph is rebuilt and the copy written.
      BuildOutcome kept = builder.build(request(layout, docs, true));
      assertFalse(kept.unchanged());
      assertTrue(Files.exists(copy(layout, kept)));
      assertTrue(IndexMeta.read(layout.meta()).keepsEmbeddingCopy());
      assertEquals(plain.passages(), kept.passages());

      Files.writeString(docs.resolve("tea.txt"), "Green tea leaves are steamed, rolled and dried before brewing.");
      BuildOutcome changed = builder.build(request(layout, docs, true));
      assertEquals(1, changed.embedded(), "only the new file's passage is embedded");
      assertEquals(kept.passages(), changed.reused());
      assertEquals("tea.txt", top(embedder, layout, "how is green tea processed before brewing"));
    }
  }

  @Test
  void anIngestIntoAnIndexWithoutACopyEmbedsAgainAndKeepsOneFromThenOn() throws IOException {
    Path docs = docs();
    IndexLayout layout = IndexLayout.of(root.resolve("indexes"), "fed");
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      new IndexBuilder(embedder, Progress.silent()).build(request(layout, docs, false));
      IndexBuilder api = new IndexBuilder(PassageEmbedder.local(embedder), GraphBuilder.IN_PROCESS, Progress.silent());
      IndexBuilder.Ingested ingested;
      try (IndexDirectory.Writer writer = IndexDirectory.of(layout.dir()).lock(false)) {
        ingested = api.ingest(writer, layout, new IngestChange("job-1",
            List.of(new DocumentIn("Green tea leaves are steamed, rolled and dried before brewing.", null)), null),
            null, 2, 32);
      }
      assertEquals(1, ingested.added());
      assertTrue(ingested.meta().keepsEmbeddingCopy(), "API-fed indexes keep the copy");
      Path copy = layout.resolve(ingested.meta().passageSources().get(0).path()).resolveSibling(IndexLayout.EMBEDDING_CACHE);
      assertTrue(Files.exists(copy));
      assertEquals(4L * embedder.dimensions() * Float.BYTES, Files.size(copy),
          "every passage's embedding: the old ones embedded again, as there was no copy to take them from");
      assertEquals("lighthouse.txt", top(embedder, layout, "who lights the lamp at night"));
    }
  }

  private Path docs() throws IOException {
    Path docs = Files.createDirectories(root.resolve("docs"));
    Files.writeString(docs.resolve("lighthouse.txt"), "The lighthouse keeper lights the lamp every night.");
    Files.writeString(docs.resolve("tomatoes.txt"), "Tomatoes ripen on the vine in warm summer weather.");
    Files.writeString(docs.resolve("trains.txt"), "The night train to Vienna leaves the station at ten.");
    return docs;
  }

  private static Path copy(IndexLayout layout, BuildOutcome outcome) {
    return layout.dir().resolve(IndexLayout.generation(outcome.generation())).resolve(IndexLayout.EMBEDDING_CACHE);
  }

  private static String top(OnnxEmbedder embedder, IndexLayout layout, String query) throws IOException {
    try (LocalIndex index = LocalIndex.open(layout)) {
      List<SearchHit> hits = index.search(embedder.embed(List.of(query))[0], 1, 32, embedder, null);
      return String.valueOf(hits.get(0).metadata().get("file_name"));
    }
  }

  private static BuildRequest request(IndexLayout layout, Path docs, boolean keepEmbeddings) {
    return new BuildRequest(layout, List.of(docs), LoaderOptions.defaults(), ChunkingOptions.defaults(),
        "sentence-transformers", Metric.COSINE, 16, 64, 32, 2, true, true, 1, false, 32,
        List.of("docs", "--docs", docs.toString()), null, 0, TextAnalyzer.DEFAULT, keepEmbeddings);
  }
}
