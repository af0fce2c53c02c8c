package io.leann.protocol.index;

import io.leann.protocol.Metric;
import io.leann.protocol.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexMetaTest {
  @TempDir Path dir;

  @Test
  void readsMetaWrittenByThePythonLeann() throws IOException {
    IndexMeta meta = IndexMeta.read(
        Fixtures.leannPython().resolve("leann-python-pruned/documents.leann.meta.json"));
    assertEquals("hnsw", meta.backendName());
    assertEquals("sentence-transformers/all-MiniLM-L6-v2", meta.embeddingModel());
    assertEquals(384, meta.dimensions());
    assertTrue(meta.compact());
    assertTrue(meta.pruned());
    assertEquals("documents.leann.passages.idx", meta.passageSources().get(0).indexPath());
    assertEquals(32, meta.backendKwargs().get("graph_degree"));
    assertEquals(Metric.INNER_PRODUCT, meta.metric(), "LEANN's default metric is mips");
    assertNull(meta.formatVersion());
  }

  @Test
  void roundTripsOurFields() throws IOException {
    IndexMeta meta = new IndexMeta("1.0", "hnsw", "sentence-transformers/all-MiniLM-L6-v2", 384,
        Map.of("graph_degree", 32, "is_recompute", true, "distance_metric", "cosine"),
        "sentence-transformers", null,
        List.of(new IndexMeta.PassageSource("jsonl", "documents.leann.passages.jsonl",
            "documents.leann.passages.idx")),
        true, true, 1000, IndexMeta.FORMAT_VERSION, "cosine",
        List.of(new IndexMeta.Shard(0, "documents.shard-0.index", "documents.shard-0.ids.txt", 0, 600),
            new IndexMeta.Shard(1, "documents.shard-1.index", "documents.shard-1.ids.txt", 600, 400)));
    Path file = dir.resolve("documents.leann.meta.json");
    meta.write(file);
    IndexMeta back = IndexMeta.read(file);
    assertEquals(meta, back);
    assertEquals(Metric.COSINE, back.metric());
    String json = Files.readString(file);
    assertTrue(json.contains("\"backend_kwargs\""), json);
    assertTrue(json.contains("\"first_row\" : 600"), json);
  }

  @Test
  void malformedMetaNamesTheFile() throws IOException {
    Path file = dir.resolve("documents.leann.meta.json");
    Files.writeString(file, "{\"version\": \"1.0\", \"dimensions\": ");
    IndexFormatException e = assertThrows(IndexFormatException.class, () -> IndexMeta.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    IOException missing = assertThrows(IOException.class, () -> IndexMeta.read(dir.resolve("none.json")));
    assertTrue(missing.getMessage().contains("none.json"));
  }
}
