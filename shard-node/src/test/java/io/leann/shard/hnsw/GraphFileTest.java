package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.testing.Fixtures;
import io.leann.shard.search.Searches;
import io.leann.shard.vector.ArrayVectors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphFileTest {
  private static final float[][] DATA = TestData.clustered(1200, 20, 8, 77);
  private static final float[][] QUERIES = Arrays.copyOfRange(TestData.clustered(1220, 20, 8, 77), 1200, 1220);

  @TempDir Path dir;

  static Stream<Arguments> flagCombinations() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (boolean compact : new boolean[] {true, false}) {
      for (boolean pruned : new boolean[] {true, false}) {
        for (boolean vectors : new boolean[] {true, false}) {
          for (Metric metric : new Metric[] {Metric.L2, Metric.COSINE}) {
            b.add(Arguments.of(compact, pruned, vectors, metric));
          }
        }
      }
    }
    return b.build();
  }

  private static HnswIndex build(boolean compact, boolean pruned, boolean vectors, Metric metric) {
    ArrayVectors v = ArrayVectors.copyOf(DATA, false);
    return HnswIndex.build(v, new HnswParams(metric, 8, 60, 1, 5),
        new HnswIndex.BuildOptions(compact, pruned ? PruneParams.forBuildDegree(8) : null, vectors));
  }

  @ParameterizedTest
  @MethodSource("flagCombinations")
  void roundTripPreservesGraphAndSearchResults(boolean compact, boolean pruned, boolean vectors,
      Metric metric) throws IOException {
    Path file = dir.resolve("documents.index");
    ArrayVectors recomputeFrom = ArrayVectors.copyOf(DATA, metric.normalises());
    VectorRecomputer recomputer = new VectorRecomputer(recomputeFrom, metric);
    try (HnswIndex built = build(compact, pruned, vectors, metric)) {
      built.save(file);
      try (HnswIndex loaded = HnswIndex.load(file)) {
        assertEquals(built.size(), loaded.size());
        assertEquals(metric, loaded.metric());
        assertEquals(pruned, loaded.pruned());
        assertEquals(vectors, loaded.hasVectors());
        assertEquals(compact, loaded.graph().compact());
        assertEquals(built.graph().entryPoint(), loaded.graph().entryPoint());
        int[] a = new int[32];
        int[] b = new int[32];
        for (int node = 0; node < built.size(); node++) {
          assertEquals(built.graph().level(node), loaded.graph().level(node));
          for (int l = 0; l <= built.graph().level(node); l++) {
            int ca = built.graph().neighbors(l, node, a);
            int cb = loaded.graph().neighbors(l, node, b);
            assertArrayEquals(Arrays.copyOf(a, ca), Arrays.copyOf(b, cb));
          }
        }
        for (float[] q : QUERIES) {
          SearchResult x = Searches.recomputed(built, q, 10, 40, recomputer);
          SearchResult y = Searches.recomputed(loaded, q, 10, 40, recomputer);
          TestData.assertSameUpToTies(x, y);
          if (vectors) {
            TestData.assertSameUpToTies(Searches.stored(built, q, 10, 40), Searches.stored(loaded, q, 10, 40));
            TestData.assertSameUpToTies(x, Searches.stored(loaded, q, 10, 40));
          }
        }
      }
    }
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "temp files left behind");
    }
  }

  @Test
  void emptyGraphRoundTrips() throws IOException {
    Path file = dir.resolve("empty.index");
    try (HnswIndex built = HnswIndex.build(new ArrayVectors(new float[0], 4),
        new HnswParams(Metric.L2, 4, 10, 1, 1), HnswIndex.BuildOptions.withVectors())) {
      built.save(file);
    }
    try (HnswIndex loaded = HnswIndex.load(file)) {
      assertEquals(0, loaded.size());
      assertEquals(0, Searches.stored(loaded, new float[4], 3, 10).size());
    }
  }

  private Path saved() throws IOException {
    Path file = dir.resolve("documents.index");
    try (HnswIndex built = build(true, false, true, Metric.L2)) {
      built.save(file);
    }
    return file;
  }

  private static void assertRejected(Path file, String expected) {
    IndexFormatException e = assertThrows(IndexFormatException.class, () -> HnswIndex.load(file));
    assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void truncatedFilesAreRejectedAtEveryLength() throws IOException {
    Path file = saved();
    byte[] bytes = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.index");
    for (int len : new int[] {0, 10, 63, 64, 100, 300, bytes.length / 2, bytes.length - 1}) {
      Files.write(cut, Arrays.copyOf(bytes, len));
      assertRejected(cut, "truncated");
    }
  }

  @Test
  void aFlippedBitAnywhereIsRejected() throws IOException {
    Path file = saved();
    byte[] bytes = Files.readAllBytes(file);
    Path bad = dir.resolve("bad.index");
    int step = Math.max(1, bytes.length / 97);
    for (int pos = 8; pos < bytes.length; pos += step) {
      byte[] copy = bytes.clone();
      copy[pos] ^= 0x10;
      Files.write(bad, copy);
      IndexFormatException e = assertThrows(IndexFormatException.class, () -> HnswIndex.load(bad),
          "flip at byte " + pos + " was accepted");
      assertTrue(e.getMessage().startsWith(bad.toString()));
    }
  }

  @Test
  void wrongMagicAndVersionAreNamed() throws IOException {
    Path file = saved();
    byte[] bytes = Files.readAllBytes(file);
    byte[] magic = bytes.clone();
    magic[0] = 'X';
    Path m = dir.resolve("magic.index");
    Files.write(m, magic);
    assertRejected(m, "not a LEANN graph file");

    byte[] version = bytes.clone();
    ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
    Path v = dir.resolve("version.index");
    Files.write(v, version);
    assertRejected(v, "unsupported graph format version 2");

    Path faiss = Fixtures.leannPython().resolve("leann-python-full/documents.index");
    IndexFormatException e = assertThrows(IndexFormatException.class, () -> HnswIndex.load(faiss));
    assertTrue(e.getMessage().contains("bad magic"));
  }

  @Test
  void missingFileIsReportedByName() {
    Path absent = dir.resolve("nope.index");
    IOException e = assertThrows(IOException.class, () -> HnswIndex.load(absent));
    assertTrue(e.getMessage().contains("nope.index"));
  }

  @Test
  void consistentChecksumsButBadStructureIsRejected() throws IOException {
    // A file whose checksums are right but whose neighbour ids point outside the graph: the
    // structural validation, not the CRC, must catch it.
    Path file = dir.resolve("crafted.index");
    try (HnswIndex built = build(true, false, true, Metric.L2)) {
      var sections = built.graph().sections();
      var l0 = sections.get(GraphSection.LEVEL0_NEIGHBORS);
      var copy = java.lang.foreign.Arena.ofAuto().allocate(l0.byteSize());
      copy.copyFrom(l0);
      copy.set(io.leann.protocol.index.LittleEndian.INT, 0, 5_000_000);
      sections.put(GraphSection.LEVEL0_NEIGHBORS, copy);
      GraphHeader h = new GraphHeader(Metric.L2, 20, built.size(), 8, 16, built.graph().entryPoint(),
          built.graph().maxLevel(), GraphHeader.COMPACT);
      io.leann.protocol.index.GraphFileWriter.write(file, h, sections);
    }
    try (GraphFile opened = GraphFile.open(file)) {
      assertFalse(opened.header().hasVectors());
    }
    assertRejected(file, "outside");
  }

  @Test
  void aPackedListThatDecodesBadlyIsRejected() throws IOException {
    Path file = dir.resolve("packed.index");
    try (HnswIndex built = build(true, true, false, Metric.L2)) {
      assertTrue(built.graph().packed());
      var sections = built.graph().sections();
      var packed = sections.get(GraphSection.LEVEL0_PACKED);
      long firstListEnd = Integer.toUnsignedLong(
          sections.get(GraphSection.LEVEL0_PACKED_OFFSETS).getAtIndex(io.leann.protocol.index.LittleEndian.INT, 1));
      GraphHeader h = new GraphHeader(Metric.L2, 20, built.size(), 8, 16, built.graph().entryPoint(),
          built.graph().maxLevel(), GraphHeader.COMPACT | GraphHeader.PRUNED | GraphHeader.PACKED);
      // Continuation bits to the end of the list: a varint that never ends.
      var cut = java.lang.foreign.Arena.ofAuto().allocate(packed.byteSize());
      cut.copyFrom(packed);
      for (long i = 0; i < firstListEnd; i++) {
        cut.set(io.leann.protocol.index.LittleEndian.BYTE, i, (byte) 0x80);
      }
      sections.put(GraphSection.LEVEL0_PACKED, cut);
      io.leann.protocol.index.GraphFileWriter.write(file, h, sections);
      assertRejected(file, "cut off or too long");
      // Zero bytes: neighbour 0, then gaps of zero, which repeat it.
      var repeat = java.lang.foreign.Arena.ofAuto().allocate(packed.byteSize());
      repeat.copyFrom(packed);
      assertTrue(firstListEnd >= 2);
      for (long i = 0; i < firstListEnd; i++) {
        repeat.set(io.leann.protocol.index.LittleEndian.BYTE, i, (byte) 0);
      }
      sections.put(GraphSection.LEVEL0_PACKED, repeat);
      io.leann.protocol.index.GraphFileWriter.write(file, h, sections);
      assertRejected(file, "twice");
      // Packed lists without the compact flag are not a layout this reader knows.
      sections.put(GraphSection.LEVEL0_PACKED, packed);
      io.leann.protocol.index.GraphFileWriter.write(file, new GraphHeader(Metric.L2, 20, built.size(), 8, 16,
          built.graph().entryPoint(), built.graph().maxLevel(), GraphHeader.PACKED), sections);
      assertRejected(file, "compact");
    }
  }

  @Test
  void savingOverAnExistingIndexReplacesItAtomically() throws IOException {
    Path file = saved();
    long before = Files.size(file);
    try (HnswIndex other = build(true, true, false, Metric.L2)) {
      other.save(file);
    }
    assertTrue(Files.size(file) < before);
    try (HnswIndex loaded = HnswIndex.load(file)) {
      assertTrue(loaded.pruned());
    }
  }
}
