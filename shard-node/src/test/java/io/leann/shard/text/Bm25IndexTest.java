package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.passages.Passage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Bm25IndexTest {
  private static final List<String> TEXTS = List.of(
      "the river runs to the sea",
      "a river, a bridge and a tower",
      "",
      "the tower of the castle",
      "sea sea sea");

  private static Bm25Index index(List<String> texts) {
    Bm25IndexBuilder builder = new Bm25IndexBuilder();
    texts.forEach(builder::add);
    return builder.build(Bm25Params.DEFAULT);
  }

  @Test
  void scoresByHandComputedFormula() {
    Bm25Index index = index(TEXTS);
    // 4 non-empty rows, 21 tokens; "river" in rows 0 (length 6) and 1 (length 7), once each.
    assertEquals(4, index.docCount());
    assertEquals(21, index.sumTotalTermFreq());
    assertEquals(2, index.docFreq("river"));
    double idf = Math.log(1 + (4 - 2 + 0.5) / (2 + 0.5));
    double avgdl = 21 / 4.0;
    double row0 = idf * 1 / (1 + 1.2 * (0.25 + 0.75 * 6 / avgdl));
    double row1 = idf * 1 / (1 + 1.2 * (0.25 + 0.75 * 7 / avgdl));
    Bm25Hits hits = index.search("River", 10);
    assertArrayEquals(new int[] {0, 1}, hits.rows());
    assertEquals(row0, hits.scores()[0], 1e-6);
    assertEquals(row1, hits.scores()[1], 1e-6);
  }

  @Test
  void repeatedQueryWordsCountAgainAndUnknownWordsAddNothing() {
    Bm25Index index = index(TEXTS);
    float once = index.score("castle", 3);
    assertEquals(2 * once, index.score("castle castle unicorn", 3), 1e-6);
    assertEquals(0f, index.score("castle", 0));
    assertEquals(0, index.search("unicorn", 5).size());
    assertEquals(0, index.search(" ,, ", 5).size());
  }

  @Test
  void filteredSearchKeepsOnlyAcceptedRowsAndScoresAgree() {
    Bm25Index index = index(TEXTS);
    Bm25Hits all = index.search("the sea tower", 10);
    Bm25Hits odd = index.search("the sea tower", 10, row -> row % 2 == 1);
    assertArrayEquals(new int[] {1, 3}, Arrays.stream(odd.rows()).sorted().toArray());
    float[] scores = index.scores("the sea tower", all.rows());
    assertArrayEquals(all.scores(), scores);
    for (int i = 1; i < all.size(); i++) {
      assertTrue(all.scores()[i - 1] >= all.scores()[i]);
    }
    assertThrows(IllegalArgumentException.class, () -> index.search("sea", 0));
    assertThrows(IndexOutOfBoundsException.class, () -> index.score("sea", 5));
  }

  @Test
  void buildsFromPassagesInRowOrder() {
    Bm25Index index = Bm25Index.build(TEXTS.stream().map(t -> new Passage("p" + t.length(), t, Map.of())));
    assertEquals(5, index.size());
    assertArrayEquals(new int[] {4, 0}, index.search("sea", 5).rows());
  }

  @Test
  void savesAndLoadsTheSameIndex(@TempDir Path dir) throws IOException {
    List<String> texts = TestCorpus.generated(300, 11);
    Bm25Index index = index(texts);
    Path file = dir.resolve("documents.leann.bm25");
    index.save(file);
    Bm25Index loaded = Bm25Index.load(file);
    assertEquals(index.size(), loaded.size());
    assertEquals(index.termCount(), loaded.termCount());
    for (String q : List.of("river lantern", "café Zürich", "the of and", "𝒜lpha 1848")) {
      Bm25Hits a = index.search(q, 20);
      Bm25Hits b = loaded.search(q, 20);
      assertArrayEquals(a.rows(), b.rows(), q);
      assertArrayEquals(a.scores(), b.scores(), q);
    }
    try (var listing = Files.list(dir)) {
      assertEquals(1, listing.count(), "no temp file is left behind");
    }
  }

  @Test
  void refusesCorruptOrForeignFiles(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("x.bm25");
    index(TEXTS).save(file);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(file, bytes);
    IndexFormatException e = assertThrows(IndexFormatException.class, () -> Bm25Index.load(file));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());

    Files.write(file, Arrays.copyOf(bytes, bytes.length - 9));
    assertThrows(IndexFormatException.class, () -> Bm25Index.load(file));
    Files.writeString(file, "not an index at all, just some text that is long enough to have a header");
    e = assertThrows(IndexFormatException.class, () -> Bm25Index.load(file));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
    assertThrows(IndexFormatException.class, () -> Bm25Index.load(dir.resolve("missing.bm25")));
  }

  @Test
  void otherParametersChangeScoresNotPostings() {
    Bm25Index index = index(TEXTS);
    Bm25Index noLength = index.withParams(new Bm25Params(1.2f, 0f));
    // With b = 0 a single occurrence scores idf * 1 / (1 + k1) whatever the length.
    Bm25Hits hits = noLength.search("river", 2);
    assertEquals(hits.scores()[0], hits.scores()[1]);
    assertThrows(IllegalArgumentException.class, () -> new Bm25Params(-1f, 0.5f));
    assertThrows(IllegalArgumentException.class, () -> new Bm25Params(1.2f, 1.5f));
  }
}
