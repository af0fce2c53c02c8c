package io.leann.coordinator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.local.SmallIndex;
import io.leann.protocol.index.IndexMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a writer killed before its commit leaves behind (a meta temp file, a generation directory
 * with staged passage files) is removed by the next build, which holds the index's lock, while the
 * committed generation stays and keeps loading.
 */
class KilledWriterLeftoversTest {
  @TempDir
  Path root;

  @Test
  void theNextBuildRemovesTempFilesAndUncommittedGenerations() throws IOException {
    Path docs = SmallIndex.build(root, "docs");
    IndexLayout layout = IndexLayout.of(root, "docs");
    IndexMeta committed = IndexMeta.read(layout.meta());
    Path committedGen = layout.resolve(committed.passageSources().get(0).path()).getParent();
    Path metaTemp = layout.dir().resolve(IndexLayout.META + ".tmp-4242-123456789");
    Files.writeString(metaTemp, "{\"half\": ");
    Path killedGen = layout.dir().resolve(IndexLayout.generation(9));
    Files.createDirectories(killedGen);
    Files.writeString(killedGen.resolve(IndexLayout.PASSAGES + ".tmp"), "{\"id\":\"0\",\"te");
    Files.write(killedGen.resolve("documents.shard-0.index.tmp-4242-1"), new byte[100]);

    SmallIndex.rebuild(root, "docs", docs);

    assertFalse(Files.exists(metaTemp), "meta temp file removed");
    assertFalse(Files.exists(killedGen), "uncommitted generation removed");
    assertTrue(Files.isDirectory(committedGen), "committed generation kept (nothing changed, no new one)");
    assertEquals(committed, IndexMeta.read(layout.meta()));
  }
}
