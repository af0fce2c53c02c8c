package io.leann.coordinator.cluster.catalog;

import io.leann.coordinator.cluster.ReplicatedMap;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.index.IndexMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the index registry on the generation each index's meta file commits, so that a commit by
 * another writer on the same {@code LEANN_INDEX_DIR} (a {@code leann build} next to a
 * {@code leann serve}) is served from the next request on: the registry names the new generation,
 * the shard actors load it when a search names it, and searches in flight finish on the old one.
 *
 * <p>Cheap: it looks at an index's meta file at most once a second, and parses it only when the
 * file changed (a commit renames a new file over it: another file key or modification time). An
 * index with a job of this coordinator running is left alone: the job holds the writer lock and
 * publishes its own generation.
 *
 * <p>Thread-safe.
 */
final class CommitFollower {
  private static final Logger log = LoggerFactory.getLogger(CommitFollower.class);
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  /** The meta file as last seen: when, and what identifies its version. */
  private record Look(long atNanos, Object fileKey, long modifiedMillis) {}

  private final IndexRegistry disk;
  private final ReplicatedMap<IndexEntry> indexes;
  private final Map<String, Look> looks = new ConcurrentHashMap<>();

  CommitFollower(IndexRegistry disk, ReplicatedMap<IndexEntry> indexes) {
    this.disk = disk;
    this.indexes = indexes;
  }

  /** {@code known}, or the entry of the generation committed on disk since the registry was written. */
  IndexEntry follow(IndexEntry known) {
    if (IndexEntry.BUILDING.equals(known.status())) {
      return known;
    }
    String name = known.name();
    long now = System.nanoTime();
    Look last = looks.get(name);
    if (last != null && now - last.atNanos() < INTERVAL_NANOS) {
      return known;
    }
    IndexLayout layout = disk.layout(name);
    try {
      BasicFileAttributes file = Files.readAttributes(layout.meta(), BasicFileAttributes.class);
      Look look = new Look(now, file.fileKey(), file.lastModifiedTime().toMillis());
      looks.put(name, look);
      if (last != null && Objects.equals(last.fileKey(), look.fileKey())
          && last.modifiedMillis() == look.modifiedMillis()) {
        return known;
      }
      IndexEntry found = IndexEntries.fromMeta(name, IndexMeta.read(layout.meta()));
      if (found.generation().equals(known.generation())) {
        return known;
      }
      log.info("index '{}': following the commit of {} ({} passages) made by another writer", name,
          found.generation(), found.passages());
      indexes.update(name, current -> current != null
          && Objects.equals(current.generation(), known.generation()) ? found : null);
      return found;
    } catch (IOException | RuntimeException e) {
      // No meta file (an index still empty, or on another node's disk) or one being replaced:
      // the registry stays as it is and the next look tries again.
      looks.put(name, new Look(now, null, -1));
      return known;
    }
  }
}
