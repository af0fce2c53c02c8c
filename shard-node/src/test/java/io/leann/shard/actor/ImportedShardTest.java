package io.leann.shard.actor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.testing.Fixtures;
import io.leann.shard.faiss.FaissIndex;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.search.Searches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard node serves an index imported from the Python LEANN: the layout {@code leann import}
 * registers (our meta file, a generation of links to the Python files) opens as a shard, and its
 * searches, stored-vector and recomputed, return what the FAISS graph returns.
 */
class ImportedShardTest {
  private static final int DIMS = 384;

  @TempDir Path root;

  /** What {@code leann import} registers for the fixture {@code fixture}. */
  private Path register(String name, String fixture, boolean pruned) throws IOException {
    Path source = Fixtures.leannPython().resolve(fixture);
    Path dir = root.resolve(name);
    Path gen = Files.createDirectories(dir.resolve("gen-1"));
    for (String file : List.of("documents.leann.passages.jsonl", "documents.leann.passages.idx", "documents.index")) {
      Files.createSymbolicLink(gen.resolve(file), source.resolve(file));
    }
    new IndexMeta("1.0", "hnsw", "sentence-transformers/all-MiniLM-L6-v2", DIMS, Map.of("distance_metric", "mips"),
        "sentence-transformers", null,
        List.of(new IndexMeta.PassageSource("jsonl", "gen-1/documents.leann.passages.jsonl",
            "gen-1/documents.leann.passages.idx")),
        pruned, pruned, 400, IndexMeta.FORMAT_VERSION, "mips",
        List.of(new IndexMeta.Shard(0, "gen-1/documents.index", null, 0, 400)))
        .write(dir.resolve(IndexFiles.META));
    return dir;
  }

  @Test
  void importedIndexesOpenAsShardsAndSearchLikeTheFaissGraph() throws IOException {
    Path fixtures = Fixtures.leannPython();
    float[] query = firstQuery(fixtures);
    try (FaissIndex faiss = FaissIndex.open(fixtures.resolve("leann-python-full/documents.index"), Metric.INNER_PRODUCT)) {
      SearchResult expected = Searches.stored(faiss, query, 10, 64);
      LoadedShard full = LoadedShard.open(register("full", "leann-python-full", false), "full", 0);
      LoadedShard pruned = LoadedShard.open(register("pruned", "leann-python-pruned", true), "pruned", 0);
      try {
        assertTrue(full.hasVectors());
        assertFalse(pruned.hasVectors());
        List<ShardHit> stored = full.search(query, 10, 64, MetadataFilter.ALL, (VectorRecomputer) null,
            TwoLevelOptions.defaults()).hits();
        List<ShardHit> recomputed = pruned.search(query, 10, 64, MetadataFilter.ALL,
            new VectorRecomputer(faiss.vectors(), Metric.INNER_PRODUCT), TwoLevelOptions.defaults()).hits();
        for (List<ShardHit> hits : List.of(stored, recomputed)) {
          assertEquals(10, hits.size());
          for (int i = 0; i < 10; i++) {
            assertEquals(String.valueOf(expected.nodes()[i]), hits.get(i).id());
            assertEquals(-expected.distances()[i], hits.get(i).score(), 1e-5f);
          }
        }
        // metadata filters work on the imported passages' metadata too
        List<ShardHit> filtered = full.search(query, 3, 64,
            MetadataFilter.of(Map.of("file_name", Map.of("starts_with", "0000"))), (VectorRecomputer) null,
            TwoLevelOptions.defaults()).hits();
        assertFalse(filtered.isEmpty());
        filtered.forEach(h -> assertTrue(h.metadata().path("file_name").asText().startsWith("0000")));
        assertEquals(pruned.text(0), full.text(0));
      } finally {
        full.retire();
        pruned.retire();
      }
    }
  }

  private static float[] firstQuery(Path fixtures) throws IOException {
    java.nio.ByteBuffer raw = java.nio.ByteBuffer.wrap(Files.readAllBytes(fixtures.resolve("query_embeddings.f32")))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    float[] q = new float[DIMS];
    raw.asFloatBuffer().get(q);
    return q;
  }
}
