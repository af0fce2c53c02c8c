package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.util.SmallFloat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeywordIndexTest {
  private static final List<String> QUERIES = List.of(
      "river", "the", "lantern harbour", "Copper KETTLE", "ancient library engine",
      "merchant merchant sailor", "café", "naïve résumé", "Zürich", "Ελλάδα", "𝒜lpha", "1848",
      "x86 mp3", "winter, summer; autumn!", "quiet restless hidden distant", "unicorn",
      "unicorn river", "of and to in", "telescope compass parchment ledger spindle", "h2o 42 7",
      "the river carries stories through the valley", "Москва");

  @TempDir
  Path tmp;

  @Test
  void exactKeepsRunsOfLettersAndDigitsLowerCased() throws IOException {
    assertEquals(List.of("hello", "world", "42", "times"), tokens(TextAnalyzer.EXACT, "Hello, WORLD! 42-times"));
    assertEquals(List.of(), tokens(TextAnalyzer.EXACT, " ... -- "));
    assertEquals(List.of("don", "t", "3", "14", "snake", "case"), tokens(TextAnalyzer.EXACT, "don't 3.14 snake_case"));
    assertEquals(List.of("café", "ελλάδα", "𝒜lpha"), tokens(TextAnalyzer.EXACT, "Café ΕΛΛΆΔΑ 𝒜lpha"));
    assertEquals(List.of("a".repeat(255), "a".repeat(255), "a".repeat(90)), tokens(TextAnalyzer.EXACT, "a".repeat(600)));
    assertEquals(List.of("东京大学"), tokens(TextAnalyzer.EXACT, "东京大学"));
  }

  @Test
  void standardStemsAndDropsStopWordsCjkCutsBigrams() throws IOException {
    assertEquals(List.of("softwar", "licens", "under", "mit"), tokens(TextAnalyzer.STANDARD, "The software is licensed under MIT"));
    assertEquals(List.of("licens"), tokens(TextAnalyzer.STANDARD, "licensing"));
    assertEquals(List.of("东京", "京大", "大学"), tokens(TextAnalyzer.CJK, "东京大学"));
    assertEquals(TextAnalyzer.CJK, TextAnalyzer.parse(" CJK "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextAnalyzer.parse("klingon"));
    assertTrue(e.getMessage().contains("standard, cjk, exact"), e.getMessage());
  }

  @Test
  void eachAnalyzerFindsWhatItShould() throws IOException {
    List<String> texts = List.of(
        "The software is licensed under the MIT licence.",
        "Bread is baked with yeast, flour and water.",
        "我们在东京大学学习计算机科学。",
        "今日は京都で寿司を食べました。");
    PassageStore store = textStore("a", texts);
    for (TextAnalyzer a : TextAnalyzer.values()) {
      try (KeywordIndex index = build(a, "a", store)) {
        assertEquals(a == TextAnalyzer.STANDARD, rowsOf(index.search("licensing", 10)).contains(0), a + " licensing");
        // exact: a run of ideographs is one word; standard: one word per ideograph; cjk: bigrams.
        List<Integer> kyoto = rowsOf(index.search("京都", 10));
        assertEquals(switch (a) {
          case EXACT -> List.of();
          case STANDARD -> List.of(3, 2);
          case CJK -> List.of(3);
        }, kyoto, a + " 京都");
        assertEquals(List.of(1), rowsOf(index.search("yeast", 10)), a + " yeast");
        assertEquals(a == TextAnalyzer.EXACT ? 2 : 0, index.search("is", 10).size(), a + " stop word");
      }
    }
  }

  /**
   * Scores are BM25 as Lucene defines it, recomputed here from the analyzer's tokens alone (idf over
   * documents with a token, Lucene's one-byte length), and the top k by row is the brute-force top k,
   * with and without a row filter.
   */
  @Test
  void topKIsBruteForceBm25WithAndWithoutFilter() throws IOException {
    List<String> texts = TestCorpus.generated(420, 7);
    PassageStore store = textStore("gen", texts);
    BruteForce reference = new BruteForce(TextAnalyzer.EXACT, texts);
    IntPredicate odd = row -> row % 2 == 1;
    int compared = 0;
    try (KeywordIndex index = build(TextAnalyzer.EXACT, "gen", store)) {
      assertEquals(420, index.size());
      for (String query : QUERIES) {
        for (IntPredicate filter : new IntPredicate[] {null, odd}) {
          Bm25Hits expected = reference.top(query, 10, filter);
          Bm25Hits actual = index.search(query, 10, filter);
          assertArrayEquals(expected.rows(), actual.rows(), "rows for '" + query + "'");
          for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.scores()[i], actual.scores()[i], 1e-5f * expected.scores()[i], query);
          }
          compared += expected.size();
        }
      }
      assertEquals(0, index.search("unicorn", 5).size());
      assertThrows(IllegalArgumentException.class, () -> index.search("river", 0));
    }
    assertTrue(compared >= 5 * QUERIES.size(), "the queries should find passages: " + compared);
  }

  /**
   * Deletions, moved rows and additions in place give exactly the rows and scores of a fresh build
   * of the result, twice in a row (keys stay unique across updates), and leave the previous index as it was.
   */
  @Test
  void inPlaceUpdatesRankAsAFreshBuildAndLeaveThePreviousIntact() throws IOException {
    List<String> texts = TestCorpus.generated(300, 11);
    PassageStore before = textStore("before", texts);
    Path previous = tmp.resolve("before.keywords");
    KeywordIndexWriter.build(previous, TextAnalyzer.STANDARD, before);
    Map<String, String> previousResults = results(previous, TextAnalyzer.STANDARD, before);

    // Keep the passages not divisible by 7, in reverse order (as a build that meets the files in
    // another order); then 40 new ones.
    List<Integer> kept = new ArrayList<>();
    for (int row = texts.size() - 1; row >= 0; row--) {
      if (row % 7 != 0) {
        kept.add(row);
      }
    }
    List<String> afterTexts = new ArrayList<>();
    kept.forEach(row -> afterTexts.add(texts.get(row)));
    afterTexts.addAll(TestCorpus.generated(40, 99));
    PassageStore after = textStore("after", afterTexts);
    Path updated = tmp.resolve("after.keywords");
    KeywordIndexWriter.write(previous, texts.size(), row -> row < kept.size() ? kept.get((int) row) : -1, updated,
        TextAnalyzer.STANDARD, after);
    assertEquals(results(fresh("after", after), TextAnalyzer.STANDARD, after),
        results(updated, TextAnalyzer.STANDARD, after));
    assertEquals(previousResults, results(previous, TextAnalyzer.STANDARD, before));

    // Again from the updated index: drop its first 10 rows, add 5.
    List<String> againTexts = new ArrayList<>(afterTexts.subList(10, afterTexts.size()));
    againTexts.addAll(TestCorpus.generated(5, 123));
    PassageStore again = textStore("again", againTexts);
    Path twice = tmp.resolve("again.keywords");
    KeywordIndexWriter.write(updated, afterTexts.size(), row -> row < afterTexts.size() - 10 ? row + 10 : -1, twice,
        TextAnalyzer.STANDARD, again);
    assertEquals(results(fresh("again", again), TextAnalyzer.STANDARD, again),
        results(twice, TextAnalyzer.STANDARD, again));

    assertThrows(IllegalArgumentException.class, () -> KeywordIndexWriter.write(previous, texts.size(),
        row -> 0, tmp.resolve("twice.keywords"), TextAnalyzer.STANDARD, after));
  }

  private Path fresh(String name, PassageStore store) throws IOException {
    Path dir = tmp.resolve(name + "-fresh.keywords");
    KeywordIndexWriter.build(dir, TextAnalyzer.STANDARD, store);
    return dir;
  }

  @Test
  void indexesWithoutARecordedAnalyzerAreIndexedInMemoryAsBefore() throws IOException {
    List<String> texts = TestCorpus.generated(120, 3);
    PassageStore store = textStore("legacy", texts);
    BruteForce reference = new BruteForce(TextAnalyzer.EXACT, texts);
    try (KeywordIndex index = KeywordIndex.open(tmp.resolve("absent"), null, store)) {
      assertEquals(TextAnalyzer.EXACT, index.analyzer());
      assertArrayEquals(reference.top("river lantern", 10, null).rows(), index.search("river lantern", 10).rows());
    }
  }

  @Test
  void aCorruptOrForeignIndexFailsNamingTheFile() throws IOException {
    List<String> texts = TestCorpus.generated(80, 5);
    PassageStore store = textStore("c", texts);
    Path dir = tmp.resolve("c.keywords");
    KeywordIndexWriter.build(dir, TextAnalyzer.STANDARD, store);
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.sorted().toList();
    }
    assertTrue(files.size() >= 3, files.toString());
    for (Path file : files) {
      byte[] original = Files.readAllBytes(file);
      for (int at : new int[] {0, original.length / 2, original.length - 1}) {
        byte[] flipped = original.clone();
        flipped[at] ^= 0x10;
        Files.write(file, flipped);
        assertFailsNaming(file, dir, store);
      }
      Files.write(file, java.util.Arrays.copyOf(original, original.length / 3));
      assertFailsNaming(file, dir, store);
      Files.write(file, original);
    }
    try (KeywordIndex index = KeywordIndex.open(dir, TextAnalyzer.STANDARD, store)) {
      assertEquals(80, index.size());
    }
    IndexFormatException missing = assertThrows(IndexFormatException.class,
        () -> KeywordIndex.open(tmp.resolve("nowhere"), TextAnalyzer.STANDARD, store));
    assertTrue(missing.problem().startsWith("missing"), missing.getMessage());
    PassageStore other = textStore("other", texts.subList(0, 79));
    IndexFormatException count = assertThrows(IndexFormatException.class,
        () -> KeywordIndex.open(dir, TextAnalyzer.STANDARD, other));
    assertTrue(count.problem().contains("covers 80 passages, the index has 79"), count.getMessage());
  }

  private static void assertFailsNaming(Path file, Path dir, PassageStore store) {
    IndexFormatException e = assertThrows(IndexFormatException.class,
        () -> KeywordIndex.open(dir, TextAnalyzer.STANDARD, store).close(), file.toString());
    assertEquals(file, e.file(), e.getMessage());
  }

  /** Each query's top 15 as text: rows and scores. */
  private Map<String, String> results(Path dir, TextAnalyzer analyzer, PassageStore store) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (KeywordIndex index = KeywordIndex.open(dir, analyzer, store)) {
      for (String q : QUERIES) {
        Bm25Hits hits = index.search(q, 15);
        out.put(q, java.util.Arrays.toString(hits.rows()) + java.util.Arrays.toString(hits.scores()));
      }
    }
    return out;
  }

  private KeywordIndex build(TextAnalyzer analyzer, String name, PassageStore store) throws IOException {
    Path dir = tmp.resolve(name + "-" + analyzer.id() + ".keywords");
    KeywordIndexWriter.build(dir, analyzer, store);
    return KeywordIndex.open(dir, analyzer, store);
  }

  private PassageStore textStore(String name, List<String> texts) throws IOException {
    List<Passage> passages = new ArrayList<>();
    for (int row = 0; row < texts.size(); row++) {
      passages.add(new Passage(String.valueOf(row), texts.get(row), Map.of()));
    }
    return store(name, passages);
  }

  private PassageStore store(String name, List<Passage> passages) throws IOException {
    Path jsonl = tmp.resolve(name + ".jsonl");
    Path idx = tmp.resolve(name + ".idx");
    try (PassageWriter w = PassageWriter.create(jsonl, idx, tmp.resolve(name + ".ids.txt"))) {
      for (Passage p : passages) {
        w.append(p);
      }
      w.commit();
    }
    return PassageStore.open(jsonl, idx);
  }

  private static List<Integer> rowsOf(Bm25Hits hits) {
    return IntStream.of(hits.rows()).boxed().toList();
  }

  static List<String> tokens(TextAnalyzer a, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (Analyzer analyzer = a.newAnalyzer(); TokenStream ts = analyzer.tokenStream("f", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    }
    return out;
  }

  /** BM25 by its definition over every passage, no index. */
  private static final class BruteForce {
    private final TextAnalyzer analyzer;
    private final List<Map<String, Integer>> termFreqs = new ArrayList<>();
    private final int[] lengths;
    private final Map<String, Integer> docFreqs = new HashMap<>();
    private final int docCount;
    private final double avgdl;

    BruteForce(TextAnalyzer analyzer, List<String> texts) throws IOException {
      this.analyzer = analyzer;
      lengths = new int[texts.size()];
      long total = 0;
      int nonEmpty = 0;
      for (int row = 0; row < texts.size(); row++) {
        Map<String, Integer> tf = new HashMap<>();
        for (String t : tokens(analyzer, texts.get(row))) {
          tf.merge(t, 1, Integer::sum);
          lengths[row]++;
        }
        tf.keySet().forEach(t -> docFreqs.merge(t, 1, Integer::sum));
        termFreqs.add(tf);
        total += lengths[row];
        nonEmpty += lengths[row] > 0 ? 1 : 0;
      }
      docCount = nonEmpty;
      avgdl = (float) (total / (double) nonEmpty);
    }

    Bm25Hits top(String query, int k, IntPredicate filter) throws IOException {
      Map<String, Integer> q = new HashMap<>();
      tokens(analyzer, query).forEach(t -> q.merge(t, 1, Integer::sum));
      List<float[]> scored = new ArrayList<>();
      for (int row = 0; row < lengths.length; row++) {
        if (filter != null && !filter.test(row)) {
          continue;
        }
        double sum = 0;
        boolean matched = false;
        for (Map.Entry<String, Integer> e : q.entrySet()) {
          Integer tf = termFreqs.get(row).get(e.getKey());
          if (tf == null) {
            continue;
          }
          matched = true;
          int df = docFreqs.get(e.getKey());
          double idf = Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
          int dl = SmallFloat.byte4ToInt(SmallFloat.intToByte4(lengths[row]));
          sum += e.getValue() * idf * tf / (tf + 1.2 * (1 - 0.75 + 0.75 * dl / avgdl));
        }
        if (matched) {
          scored.add(new float[] {row, (float) sum});
        }
      }
      scored.sort(Comparator.<float[]>comparingDouble(s -> -s[1]).thenComparingDouble(s -> s[0]));
      List<float[]> best = scored.subList(0, Math.min(k, scored.size()));
      int[] rows = new int[best.size()];
      float[] scores = new float[best.size()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = (int) best.get(i)[0];
        scores[i] = best.get(i)[1];
      }
      return new Bm25Hits(rows, scores);
    }
  }
}
