package io.leann.shard.faiss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexFormatException;
import io.leann.shard.hnsw.HnswGraph;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.VectorRecomputer;
import io.leann.shard.search.Searches;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FAISS graphs written by the Python LEANN's own tools (testdata/leann-python): both layouts
 * load and are searched in place by our engine; searches return expected.json's exact top 10;
 * conversion to our format keeps the graph; damaged files fail with the reader's own error.
 */
class FaissIndexTest {
  private static final int K = 10;
  private static final int EF = 64;
  private static PythonLeannFixture fx;
  /** The full index's stored vectors stand in for recomputation in the damaged-file searches. */
  private static FaissIndex reference;

  @TempDir Path tmp;

  @BeforeAll
  static void fixture() throws IOException {
    fx = PythonLeannFixture.load();
    reference = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT);
  }

  @AfterAll
  static void release() {
    reference.close();
  }

  @Test
  void bothLayoutsLoadWithTheSameGraph() throws IOException {
    try (FaissIndex full = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT);
        FaissIndex pruned = FaissIndex.open(fx.pruned().resolve("documents.index"), Metric.INNER_PRODUCT)) {
      assertEquals(400, full.size());
      assertEquals(384, full.dims());
      assertTrue(full.hasVectors());
      assertFalse(full.compact());
      assertEquals(400, pruned.size());
      assertFalse(pruned.hasVectors());
      assertTrue(pruned.compact());
      assertSameGraph(full.graph(), pruned.graph());
    }
  }

  @Test
  void storedVectorSearchOnTheFullIndexReturnsTheExactTopTen() throws IOException {
    try (FaissIndex full = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT)) {
      assertTopTen(full, q -> Searches.stored(full, fx.queries()[q], K, EF));
    }
  }

  @Test
  void recomputeSearchOnThePrunedIndexReturnsTheExactTopTen() throws IOException {
    // The embeddings come from elsewhere here (the full index's storage, one request per expansion
    // step); the coordinator's import test recomputes them from the passage texts with the ONNX model.
    try (FaissIndex full = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT);
        FaissIndex pruned = FaissIndex.open(fx.pruned().resolve("documents.index"), Metric.INNER_PRODUCT)) {
      VectorRecomputer recomputer = new VectorRecomputer(full.vectors(), Metric.INNER_PRODUCT);
      assertThrows(IllegalStateException.class, () -> Searches.stored(pruned, fx.queries()[0], K, EF));
      assertTopTen(pruned, q -> Searches.recomputed(pruned, fx.queries()[q], K, EF, recomputer));
    }
  }

  @Test
  void convertedGraphReturnsTheSameResults() throws IOException {
    Path full = tmp.resolve("full.index");
    Path pruned = tmp.resolve("pruned.index");
    try (FaissIndex faissFull = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT);
        FaissIndex faissPruned = FaissIndex.open(fx.pruned().resolve("documents.index"), Metric.INNER_PRODUCT)) {
      NativeGraphs.write(faissFull, full);
      NativeGraphs.write(faissPruned, pruned);
      try (HnswIndex nativeFull = HnswIndex.load(full); HnswIndex nativePruned = HnswIndex.load(pruned)) {
        assertTrue(nativeFull.hasVectors());
        assertFalse(nativePruned.hasVectors());
        assertSameGraph(faissFull.graph(), nativeFull.graph());
        assertSameGraph(faissPruned.graph(), nativePruned.graph());
        VectorRecomputer recomputer = new VectorRecomputer(faissFull.vectors(), Metric.INNER_PRODUCT);
        for (float[] q : fx.queries()) {
          SearchResult a = Searches.stored(faissFull, q, K, EF);
          SearchResult b = Searches.stored(nativeFull, q, K, EF);
          SearchResult c = Searches.recomputed(nativePruned, q, K, EF, recomputer);
          assertArrayEquals(a.nodes(), b.nodes());
          assertArrayEquals(a.distances(), b.distances(), 0f);
          assertArrayEquals(a.nodes(), c.nodes());
        }
      }
    }
  }

  @Test
  void graphFilesOpensEitherFormat() throws IOException {
    Path converted = tmp.resolve("converted.index");
    try (FaissIndex faiss = FaissIndex.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT)) {
      NativeGraphs.write(faiss, converted);
    }
    try (SearchableIndex a = GraphFiles.open(fx.full().resolve("documents.index"), Metric.INNER_PRODUCT);
        SearchableIndex b = GraphFiles.open(converted, Metric.INNER_PRODUCT)) {
      assertTrue(a instanceof FaissIndex);
      assertTrue(b instanceof HnswIndex);
    }
  }

  @Test
  void cosineIsInnerProductOverANormalisedQueryAndL2IsRefusedForAnIpFile() throws IOException {
    Path file = fx.full().resolve("documents.index");
    try (FaissIndex ip = FaissIndex.open(file, Metric.INNER_PRODUCT); FaissIndex cos = FaissIndex.open(file, Metric.COSINE)) {
      float[] scaled = fx.queries()[0].clone();
      for (int i = 0; i < scaled.length; i++) {
        scaled[i] *= 3;
      }
      SearchResult r = Searches.stored(cos, scaled, K, EF);
      SearchResult expected = Searches.stored(ip, fx.queries()[0], K, EF);
      assertArrayEquals(expected.nodes(), r.nodes());
      assertArrayEquals(expected.distances(), r.distances(), 1e-5f);
    }
    IndexFormatException e = assertThrows(IndexFormatException.class, () -> FaissIndex.open(file, Metric.L2));
    assertTrue(e.getMessage().contains("metric_type") && e.getMessage().contains("stores mips"), e.getMessage());
  }

  @Test
  void namedFieldsOfDamagedFilesAreReported() throws IOException {
    Path full = fx.full().resolve("documents.index");
    byte[] bytes = Files.readAllBytes(full);
    assertFails(corrupt(bytes, 0, (byte) 'X'), "FAISS field fourcc");
    assertFails(corrupt(bytes, 8, (byte) 0x7f), "levels"); // ntotal grows: levels no longer match
    assertFails(Arrays.copyOf(bytes, 4 + 4 + 8), "truncated");
    assertFails(Arrays.copyOf(bytes, bytes.length - 1), "storage codes");
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 3);
    assertFails(trailing, "3 bytes follow the index");
    Path pruned = fx.pruned().resolve("documents.index");
    byte[] p = Files.readAllBytes(pruned);
    assertFails(Arrays.copyOf(p, p.length - 2), "compact_neighbors_data");
  }

  /**
   * Every truncation of each file, and single-bit flips at a sample of positions, either still
   * loads (FAISS files have no checksums: a flipped vector component or a still-valid id cannot be
   * told) and then searches without error, or fails with {@link IndexFormatException}; never
   * another exception.
   */
  @Test
  void truncatedAndBitFlippedFilesFailWithTheReadersOwnError() throws IOException {
    Random random = new Random(42);
    for (Path source : List.of(fx.full().resolve("documents.index"), fx.pruned().resolve("documents.index"))) {
      byte[] bytes = Files.readAllBytes(source);
      List<Integer> cuts = new ArrayList<>();
      for (int len = 0; len < Math.min(bytes.length, 1024); len++) {
        cuts.add(len);
      }
      for (int i = 0; i < 60; i++) {
        cuts.add(random.nextInt(bytes.length));
      }
      for (int len : cuts) {
        Path file = write(Arrays.copyOf(bytes, len));
        assertThrows(IndexFormatException.class, () -> FaissIndex.open(file, Metric.INNER_PRODUCT).close(),
            "truncated to " + len);
      }
      int failures = 0;
      int flips = 300;
      for (int i = 0; i < flips; i++) {
        // half in the first 2 KiB (headers, level tables, offsets), half anywhere
        int at = i % 2 == 0 ? random.nextInt(Math.min(bytes.length, 2048)) : random.nextInt(bytes.length);
        byte[] flipped = bytes.clone();
        flipped[at] ^= (byte) (1 << random.nextInt(8));
        failures += openAndSearch(write(flipped), source + " bit flip at " + at) ? 0 : 1;
      }
      assertTrue(failures > 0, "no flip was detected in " + source);
    }
  }

  /** True if the damaged file loaded and searched; false if it failed with the reader's error. */
  private boolean openAndSearch(Path file, String what) throws IOException {
    FaissIndex index;
    try {
      index = FaissIndex.open(file, Metric.INNER_PRODUCT);
    } catch (IndexFormatException e) {
      assertTrue(e.getMessage().startsWith(file + ": FAISS field "), e.getMessage());
      return false;
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": not the reader's own error", e);
    }
    try (index) {
      VectorRecomputer recomputer = new VectorRecomputer(reference.vectors(), Metric.INNER_PRODUCT);
      if (index.hasVectors()) {
        Searches.stored(index, fx.queries()[0], K, EF);
      } else {
        Searches.recomputed(index, fx.queries()[0], K, EF, recomputer);
      }
      return true;
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": loaded, then failed to search", e);
    }
  }

  private void assertTopTen(SearchableIndex index, java.util.function.IntFunction<SearchResult> search) {
    int hits = 0;
    for (int q = 0; q < fx.queries().length; q++) {
      SearchResult r = search.apply(q);
      List<String> ids = new ArrayList<>();
      for (int node : r.nodes()) {
        ids.add(String.valueOf(node));
      }
      assertEquals(fx.exactIds().get(q).get(0), ids.get(0), "top-1 of query " + q);
      hits += fx.hits(q, ids);
      // LEANN's score for inner product is the dot product itself (higher is better)
      assertEquals(fx.exactScores().get(q)[0], index.metric().toScore(r.distances()[0]), 1e-4f);
    }
    double recall = hits / (double) (K * fx.queries().length);
    assertTrue(recall >= 0.9, "recall@10 " + recall);
  }

  private static void assertSameGraph(HnswGraph a, HnswGraph b) {
    assertEquals(a.size(), b.size());
    assertEquals(a.entryPoint(), b.entryPoint());
    assertEquals(a.maxLevel(), b.maxLevel());
    int[] x = new int[Math.max(a.maxDegree(0), b.maxDegree(0))];
    int[] y = new int[x.length];
    for (int node = 0; node < a.size(); node++) {
      assertEquals(a.level(node), b.level(node));
      for (int l = 0; l <= a.level(node); l++) {
        int n = a.neighbors(l, node, x);
        int m = b.neighbors(l, node, y);
        assertArrayEquals(Arrays.copyOf(x, n), Arrays.copyOf(y, m), "node " + node + " level " + l);
      }
    }
  }

  private void assertFails(byte[] bytes, String expected) throws IOException {
    Path file = write(bytes);
    IndexFormatException e = assertThrows(IndexFormatException.class,
        () -> FaissIndex.open(file, Metric.INNER_PRODUCT).close());
    if (!e.getMessage().contains(expected)) {
      fail("expected '" + expected + "' in: " + e.getMessage());
    }
  }

  private static byte[] corrupt(byte[] bytes, int at, byte value) {
    byte[] copy = bytes.clone();
    copy[at] = value;
    return copy;
  }

  private Path write(byte[] bytes) throws IOException {
    Path file = tmp.resolve("damaged.index");
    Files.write(file, bytes);
    return file;
  }
}
