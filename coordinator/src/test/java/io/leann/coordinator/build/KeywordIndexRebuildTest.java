package io.leann.coordinator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.local.FreshKeywords;
import io.leann.coordinator.local.SmallIndex;
import io.leann.protocol.index.IndexMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An incremental {@code leann build} updates the keyword index in place: a build that only adds a
 * file shares the previous generation's segment files (hard links) and analyses only the new
 * passages; one that changes and removes files (rows move) deletes and moves documents; either
 * way the result ranks exactly as a keyword index built afresh from the new passages.
 */
class KeywordIndexRebuildTest {
  private static final List<String> QUERIES = List.of("warm sofa kitten", "coral reef fish", "volcano lava ash",
      "green tea leaves", "the queen piece");

  @TempDir
  Path root;

  @Test
  void incrementalBuildsUpdateTheKeywordIndexInPlace() throws IOException {
    Path docs = SmallIndex.build(root, "docs");
    IndexLayout layout = IndexLayout.of(root, "docs");
    Path first = keywords(layout);

    Files.writeString(docs.resolve("tea.txt"), "Green tea leaves are steamed, rolled and dried before they are brewed.");
    SmallIndex.rebuild(root, "docs", docs);
    Path second = keywords(layout);
    assertNotEquals(first, second);
    assertTrue(sharesAFileWith(second, first), "the added file's build hard-links the previous segments");
    FreshKeywords.assertRanksAsAFreshBuild(layout, root, QUERIES);

    Files.delete(docs.resolve("bread.txt"));
    Files.writeString(docs.resolve("chess.txt"), "In chess the queen is the most powerful piece; the king the most precious.");
    SmallIndex.rebuild(root, "docs", docs);
    assertEquals(6, IndexMeta.read(layout.meta()).totalPassages());
    FreshKeywords.assertRanksAsAFreshBuild(layout, root, QUERIES);
  }

  private static Path keywords(IndexLayout layout) throws IOException {
    IndexMeta meta = IndexMeta.read(layout.meta());
    return layout.resolve(meta.passageSources().get(0).path()).resolveSibling(IndexLayout.KEYWORDS);
  }

  private static boolean sharesAFileWith(Path dir, Path other) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Path same = other.resolve(f.getFileName().toString());
        if (Files.exists(same) && Files.isSameFile(f, same)) {
          return true;
        }
      }
    }
    return false;
  }
}
