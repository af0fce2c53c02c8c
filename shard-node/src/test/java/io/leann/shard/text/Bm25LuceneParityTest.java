package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Our BM25 against Lucene's BM25Similarity on the same texts: same top-10 rows, same scores. */
class Bm25LuceneParityTest {
  private static final List<String> GENERATED_QUERIES = List.of(
      "river", "the", "lantern harbour", "Copper KETTLE", "ancient library engine",
      "merchant merchant sailor", "café", "naïve résumé", "Zürich", "Ελλάδα", "𝒜lpha", "1848",
      "x86 mp3", "winter, summer; autumn!", "quiet restless hidden distant", "unicorn",
      "unicorn river", "of and to in", "telescope compass parchment ledger spindle", "h2o 42 7",
      "the river carries stories through the valley", "Москва");

  private static final List<String> LICENSE_QUERIES = List.of(
      "software license", "warranty", "copyright holder", "GNU General Public License", "patent",
      "distribute modify", "source code", "liability damages", "Free Software Foundation",
      "trademark", "Creative Commons", "Mozilla", "attribution", "derivative works",
      "merchantability fitness for a particular purpose", "sublicense", "contributor",
      "object code", "covered work", "documentation", "artistic", "you you you");

  @Test
  void matchesLuceneOnGeneratedEnglish() throws IOException {
    List<String> texts = TestCorpus.generated(420, 7);
    assertParity(texts, GENERATED_QUERIES);
  }

  @Test
  void matchesLuceneOnDebianLicenseParagraphs() throws IOException {
    List<String> texts = TestCorpus.licenseParagraphs();
    assumeTrue(texts.size() >= 200, "needs /usr/share/common-licenses");
    assertParity(texts, LICENSE_QUERIES);
  }

  private static void assertParity(List<String> texts, List<String> queries) throws IOException {
    Bm25IndexBuilder builder = new Bm25IndexBuilder();
    texts.forEach(builder::add);
    Bm25Index ours = builder.build(Bm25Params.DEFAULT);
    try (LuceneReference lucene = new LuceneReference(texts)) {
      for (String text : texts) {
        assertEquals(lucene.tokens(text), WordTokenizer.tokenize(text), text);
      }
      assertEquals(lucene.docCount(), (long) ours.docCount());
      assertEquals(lucene.sumTotalTermFreq(), ours.sumTotalTermFreq());
      int compared = 0;
      for (String query : queries) {
        Bm25Hits expected = lucene.search(query, 10);
        Bm25Hits actual = ours.search(query, 10);
        assertArrayEquals(expected.rows(), actual.rows(), "rows for '" + query + "'");
        for (int i = 0; i < expected.size(); i++) {
          float e = expected.scores()[i];
          float a = actual.scores()[i];
          assertEquals(e, a, 1e-4 * Math.abs(e), "score of row " + expected.rows()[i] + " for '" + query + "'");
          assertEquals(e, ours.score(query, actual.rows()[i]), 1e-4 * Math.abs(e));
        }
        compared += expected.size();
      }
      assertTrue(compared >= 5 * queries.size(), "the queries should find passages: " + compared);
    }
  }
}
