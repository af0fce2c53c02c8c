package io.leann.coordinator.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.local.SmallIndex;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupts a real index (two shards, stored vectors, the shipped ONNX model) file by file and
 * checks that every corruption ends in one of two ways: an {@link IndexCorruptException} naming the
 * damaged file relative to the index directory (and no absolute path), or dense and BM25 results
 * identical to the intact index's, ids, texts, metadata and scores. Never a different answer.
 *
 * <p>Random mutations (fixed seed): truncations at random offsets and single-bit flips at random
 * offsets of every file of the generation and of the meta. Targeted edits: meta fields changed with
 * and without a fresh checksum (a consistent edit must still fail the cross-checks), and NaNs in the
 * embedding cache, which the next incremental build must not reuse.
 */
class IndexCorruptionFuzzTest {
  private static final String NAME = "docs";
  private static final long SEED = 20240613L;
  private static final int TRUNCATIONS_PER_FILE = 8;
  private static final int FLIPS_PER_FILE = 14;
  private static final List<String> QUERIES = List.of("kittens napping on the sofa",
      "launching satellites into orbit", "baking bread with yeast");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path root;

  private static IndexLayout layout;
  private static Path docs;
  private static List<float[]> queryVectors;
  private static String intact;

  @BeforeAll
  static void buildIndex() throws IOException {
    docs = root.resolve(NAME + "-docs");
    Files.createDirectories(docs);
    for (Map.Entry<String, String> f : SmallIndex.FILES.entrySet()) {
      Files.writeString(docs.resolve(f.getKey()), f.getValue());
    }
    SmallIndex.rebuild(root, NAME, docs, false);
    layout = IndexLayout.of(root, NAME);
    queryVectors = new ArrayList<>();
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2)) {
      for (float[] v : embedder.embed(QUERIES)) {
        VectorDistances.normalize(v);
        queryVectors.add(v);
      }
    }
    intact = results();
  }

  @Test
  void everyCorruptionFailsNamingTheFileOrChangesNothing() throws IOException {
    Random random = new Random(SEED);
    Tally tally = new Tally();
    for (Path file : indexFiles()) {
      byte[] original = Files.readAllBytes(file);
      for (int i = 0; i < TRUNCATIONS_PER_FILE; i++) {
        int at = i == 0 ? 0 : random.nextInt(original.length);
        mutate(file, original, java.util.Arrays.copyOf(original, at), "truncated to " + at, tally);
      }
      for (int i = 0; i < FLIPS_PER_FILE; i++) {
        byte[] flipped = original.clone();
        int at = random.nextInt(flipped.length);
        int bit = random.nextInt(8);
        flipped[at] ^= (byte) (1 << bit);
        mutate(file, original, flipped, "bit " + bit + " of byte " + at + " flipped", tally);
      }
    }
    System.out.printf("corruption fuzz: %d tried, %d failed naming the file, %d identical to the intact index%n",
        tally.tried, tally.errors, tally.identical);
    assertTrue(tally.tried >= 200, "at least 200 mutations: " + tally.tried);
    assertTrue(tally.errors > tally.tried / 2, "most mutations must be caught: " + tally.errors);
    assertEquals(intact, results(), "the index is intact again after the fuzzing");
  }

  @Test
  void consistentMetaEditsFailTheCrossChecks() throws IOException {
    assertCorrupt(resigned(m -> shard(m, 0, "first_row", 10)), "documents.leann.meta.json");
    assertCorrupt(resigned(m -> shard(m, 1, "first_row", 2)), "documents.leann.meta.json");
    assertCorrupt(resigned(m -> shard(m, 0, "count", 2)), "documents.leann.meta.json");
    assertCorrupt(resigned(m -> m.put("distance_metric", "l2")), "documents.shard-0.index");
    assertCorrupt(resigned(m -> m.put("dimensions", 385)), "documents.shard-0.index");
    assertCorrupt(resigned(m -> m.put("total_passages", 7)), "documents.leann.meta.json");
    assertCorrupt(resigned(m -> m.put("format_version", 99)), "unsupported format_version 99");
    assertCorrupt(resigned(m -> m.put("format_version", 1)), "rebuild the index");
    assertCorrupt(edited(m -> shard(m, 0, "first_row", 10)), "checksum mismatch");
    assertCorrupt(edited(m -> m.put("distance_metric", "l2")), "checksum mismatch");
    assertEquals(intact, results());
  }

  @Test
  void anIncrementalBuildDoesNotReuseACacheWithNaNs() throws IOException {
    // Two copies of the index, built further from the same documents: one with NaNs in its cache.
    Path poisonedRoot = root.resolve("poisoned");
    Path cleanRoot = root.resolve("clean");
    copyTree(layout.dir(), poisonedRoot.resolve(NAME));
    copyTree(layout.dir(), cleanRoot.resolve(NAME));
    IndexLayout poisoned = IndexLayout.of(poisonedRoot, NAME);
    Path cache = generation(poisoned).resolve(IndexLayout.EMBEDDING_CACHE);
    byte[] bytes = Files.readAllBytes(cache);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(8, Float.NaN).putFloat(400, Float.NaN);
    Files.write(cache, bytes);
    Path added = docs.resolve("tea.txt");
    Files.writeString(added, "Green tea leaves are steamed, rolled and dried before they are brewed in hot water.");
    try {
      SmallIndex.rebuild(poisonedRoot, NAME, docs, false);
      SmallIndex.rebuild(cleanRoot, NAME, docs, false);
    } finally {
      Files.delete(added);
    }
    String poisonedBuild = results(poisoned);
    assertFalse(poisonedBuild.contains("NaN"), poisonedBuild);
    assertEquals(topTexts(results(IndexLayout.of(cleanRoot, NAME))), topTexts(poisonedBuild),
        "the build that found NaNs in its cache ranks as the build from an intact cache");
  }

  private static final class Tally {
    int tried;
    int errors;
    int identical;
  }

  /** Writes {@code damaged} over {@code file}, loads and searches, then puts the original back. */
  private static void mutate(Path file, byte[] original, byte[] damaged, String what, Tally tally)
      throws IOException {
    String relative = layout.dir().relativize(file).toString();
    Files.write(file, damaged);
    tally.tried++;
    try {
      String found = results();
      if (!intact.equals(found)) {
        fail(relative + " " + what + ": a different answer instead of an error\n" + found + "\nintact:\n" + intact);
      }
      tally.identical++;
    } catch (IndexCorruptException e) {
      assertTrue(e.getMessage().startsWith("index '" + NAME + "' is corrupt: " + relative + ": "),
          relative + " " + what + ": " + e.getMessage());
      assertNoInternals(e);
      tally.errors++;
    } finally {
      Files.write(file, original);
    }
  }

  private static void assertCorrupt(Runnable edit, String expected) throws IOException {
    Path meta = layout.meta();
    byte[] original = Files.readAllBytes(meta);
    edit.run();
    try {
      String found = results();
      fail("the edited meta was served: " + found);
    } catch (IndexCorruptException e) {
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      assertNoInternals(e);
    } finally {
      Files.write(meta, original);
    }
  }

  private static void assertNoInternals(IndexCorruptException e) {
    assertEquals(500, e.status());
    assertEquals("index_corrupt", e.code());
    assertFalse(e.getMessage().contains(root.toString()), "no absolute path: " + e.getMessage());
    assertFalse(e.getMessage().contains("io.leann."), "no class name: " + e.getMessage());
  }

  /** An edit of the meta's JSON with a checksum that matches it, as a buggy writer would make. */
  private static Runnable resigned(UnaryOperator<ObjectNode> change) {
    return () -> {
      try {
        ObjectNode tree = (ObjectNode) JSON.readTree(layout.meta().toFile());
        tree.remove("checksum");
        JSON.treeToValue(change.apply(tree), IndexMeta.class).write(layout.meta());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  /** An edit of the meta's JSON that leaves its checksum as it was, as a person with an editor would. */
  private static Runnable edited(UnaryOperator<ObjectNode> change) {
    return () -> {
      try {
        ObjectNode tree = (ObjectNode) JSON.readTree(layout.meta().toFile());
        Files.write(layout.meta(), JSON.writeValueAsBytes(change.apply(tree)));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  private static ObjectNode shard(ObjectNode meta, int shard, String field, int value) {
    ((ObjectNode) meta.withArray("shards").get(shard)).put(field, value);
    return meta;
  }

  private static String results() throws IOException {
    return results(layout);
  }

  /** Every query's dense hits (all passages, so every text is read) and BM25 hits, as text. */
  private static String results(IndexLayout index) throws IOException {
    StringBuilder out = new StringBuilder();
    try (LocalIndex opened = LocalIndex.open(index)) {
      int all = (int) opened.passages().size();
      for (int q = 0; q < QUERIES.size(); q++) {
        for (SearchHit h : opened.search(queryVectors.get(q), all, 32, null, null)) {
          out.append(q).append(' ').append(h.id()).append(' ').append(h.score()).append(' ')
              .append(h.text()).append(' ').append(new TreeMap<>(h.metadata())).append('\n');
        }
        Bm25Hits sparse = opened.bm25().search(QUERIES.get(q), all);
        for (int i = 0; i < sparse.size(); i++) {
          SearchHit h = opened.hit(sparse.rows()[i], sparse.scores()[i]);
          out.append(q).append(" bm25 ").append(h.id()).append(' ').append(h.score()).append(' ')
              .append(h.text()).append('\n');
        }
      }
    }
    return out.toString();
  }

  /** The best dense hit's text of each query (embedding batches may differ in the last float bits). */
  private static List<String> topTexts(String results) {
    List<String> top = new ArrayList<>();
    for (String line : results.split("\n")) {
      String query = line.substring(0, line.indexOf(' '));
      if (!line.contains(" bm25 ") && top.size() == Integer.parseInt(query)) {
        top.add(line.substring(line.indexOf(' ', line.indexOf(' ', line.indexOf(' ') + 1) + 1) + 1));
      }
    }
    return top;
  }

  /** The meta and every file of the committed generation, the keyword index's included. */
  private static List<Path> indexFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(layout.meta());
    try (Stream<Path> gen = Files.walk(generation(layout))) {
      gen.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    assertTrue(files.stream().anyMatch(f -> f.getParent().endsWith(IndexLayout.KEYWORDS)), files.toString());
    assertTrue(files.size() >= 12, "meta, passages, offsets, ids, graphs, keyword index, cache: " + files);
    return files;
  }

  private static Path generation(IndexLayout index) throws IOException {
    return index.resolve(IndexMeta.read(index.meta()).passageSources().get(0).path()).getParent();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
