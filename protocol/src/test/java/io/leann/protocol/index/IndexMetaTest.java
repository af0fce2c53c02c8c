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

  @Test
  void anAlteredMetaFailsItsChecksumAndOtherFormatVersionsAreRefused() throws IOException {
    IndexMeta meta = new IndexMeta("1.0", "hnsw", "m", 8, Map.of("complexity", 32), "sentence-transformers", null,
        List.of(new IndexMeta.PassageSource("jsonl", "gen-1/p.jsonl", "gen-1/p.idx")), true, false, 10,
        IndexMeta.FORMAT_VERSION, "cosine", List.of(new IndexMeta.Shard(0, "gen-1/g.index", null, 0, 10)));
    Path file = dir.resolve("documents.leann.meta.json");
    meta.write(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"checksum\" : \"crc32c:"), json);
    // Reformatted but equal: still matches.
    Files.writeString(file, json.replace("\n", " "));
    assertEquals(meta, IndexMeta.read(file));
    Files.writeString(file, json.replace("\"complexity\" : 32", "\"complexity\" : 33"));
    assertTrue(assertThrows(IndexFormatException.class, () -> IndexMeta.read(file)).problem()
        .startsWith("checksum mismatch"));
    Files.writeString(file, json.replace("\"format_version\" : " + IndexMeta.FORMAT_VERSION, "\"format_version\" : 99"));
    assertEquals("unsupported format_version 99 (this build reads " + IndexMeta.FORMAT_VERSION + ")",
        assertThrows(IndexFormatException.class, () -> IndexMeta.read(file)).problem());
    Files.writeString(file, json.replace("\"format_version\" : " + IndexMeta.FORMAT_VERSION, "\"format_version\" : 1"));
    assertTrue(assertThrows(IndexFormatException.class, () -> IndexMeta.read(file)).problem()
        .contains("rebuild the index"));
  }

  @Test
  void corruptionNamesTheFileRelativeToTheIndex() {
    Path index = dir.resolve("docs");
    IndexCorruptException e = IndexCorruptException.of("docs", index, new IndexFormatException(
        index.resolve("gen-3/documents.leann.passages.jsonl"), "has 10 bytes but " + index.resolve("gen-3/x.idx")
        + " was written for 12"));
    assertEquals("index 'docs' is corrupt: gen-3/documents.leann.passages.jsonl: has 10 bytes but gen-3/x.idx"
        + " was written for 12", e.getMessage());
    assertEquals(500, e.status());
    assertEquals("index_corrupt", e.code());
  }
}
