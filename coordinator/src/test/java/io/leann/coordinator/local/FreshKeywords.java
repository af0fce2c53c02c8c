package io.leann.coordinator.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.KeywordIndex;
import io.leann.shard.text.KeywordIndexWriter;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks a keyword index that a build or an ingest job updated in place against one built afresh. */
public final class FreshKeywords {
  private FreshKeywords() {}

  /**
   * The committed generation's keyword index ranks every query exactly as one built afresh (in a
   * new directory under {@code scratch}) from the generation's passages: same rows, same scores.
   */
  public static void assertRanksAsAFreshBuild(IndexLayout layout, Path scratch, List<String> queries)
      throws IOException {
    IndexMeta meta = IndexMeta.read(layout.meta());
    Path generation = layout.resolve(meta.passageSources().get(0).path()).getParent();
    Path fresh = Files.createTempDirectory(scratch, layout.name() + "-fresh-keywords");
    TextAnalyzer analyzer = TextAnalyzer.recorded(meta, layout.meta());
    try (PassageStore passages = IndexFiles.openPassages(layout.dir(), meta)) {
      KeywordIndexWriter.build(fresh, analyzer, passages);
      try (KeywordIndex updated = KeywordIndex.open(generation.resolve(IndexLayout.KEYWORDS), analyzer, passages);
          KeywordIndex rebuilt = KeywordIndex.open(fresh, analyzer, passages)) {
        for (String query : queries) {
          Bm25Hits expected = rebuilt.search(query, 10);
          Bm25Hits actual = updated.search(query, 10);
          assertTrue(expected.size() > 0, "'" + query + "' should find passages");
          assertArrayEquals(expected.rows(), actual.rows(), query);
          assertArrayEquals(expected.scores(), actual.scores(), query);
        }
      }
    }
  }
}
