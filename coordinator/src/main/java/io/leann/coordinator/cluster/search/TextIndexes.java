package io.leann.coordinator.cluster.search;

import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.protocol.concurrent.ReferenceCount;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.filter.MetadataColumns;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.text.KeywordIndex;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sparse side of hybrid search, on the coordinator: per index, the keyword index and passage
 * store of the live generation, opened from {@code LEANN_INDEX_DIR} on first use.
 *
 * <p>Why here and not on the shards: BM25's document frequencies are index-wide, and the build
 * writes one keyword index for the whole index; scoring it once where the dense lists are merged gives
 * exactly the in-process engine's hybrid ranking, where per-shard BM25 would need the statistics
 * of every shard. The coordinator reads the same shared directory the shard nodes read.
 *
 * <p>Thread-safe. A generation is opened once and replaced when the registry names a newer one;
 * the replaced one closes after the last search that holds it.
 */
final class TextIndexes implements AutoCloseable {

  /** One opened generation; reference counted like a loaded shard. */
  static final class Text {
    private final String generation;
    private final PassageStore passages;
    private final KeywordIndex bm25;
    private final ReferenceCount references;
    private MetadataColumns columns;

    private Text(String generation, PassageStore passages, KeywordIndex bm25) {
      this.generation = generation;
      this.passages = passages;
      this.bm25 = bm25;
      this.references = new ReferenceCount(() -> {
        try (passages; bm25) {
          // Both close once the last search has released the generation.
        } catch (IOException e) {
          throw new UncheckedIOException("cannot close the keyword index of " + generation, e);
        }
      });
    }

    PassageStore passages() {
      return passages;
    }

    KeywordIndex bm25() {
      return bm25;
    }

    /** Metadata columns over all passages, for filtered BM25; built on first use. */
    synchronized MetadataColumns columns() {
      if (columns == null) {
        columns = MetadataColumns.build(passages);
      }
      return columns;
    }

    private boolean acquire() {
      return references.acquire();
    }

    /** Gives back the reference {@link TextIndexes#acquire} took. */
    void release() {
      references.release();
    }
  }

  private final IndexRegistry disk;
  private final Map<String, Text> open = new ConcurrentHashMap<>();

  TextIndexes(IndexRegistry disk) {
    this.disk = disk;
  }

  /**
   * The text side of {@code index} at {@code generation}, with a reference the caller must
   * {@linkplain Text#release() release}. Blocks while it opens files.
   */
  Text acquire(String index, String generation) throws IOException {
    while (true) {
      Text text = open.get(index);
      if (text == null || !text.generation.equals(generation)) {
        synchronized (this) {
          text = open.get(index);
          if (text == null || !text.generation.equals(generation)) {
            Text fresh = load(index, generation);
            open.put(index, fresh);
            if (text != null) {
              text.release();
            }
            text = fresh;
          }
        }
      }
      if (text.acquire()) {
        return text;
      }
    }
  }

  private Text load(String index, String generation) throws IOException {
    IndexLayout layout = disk.layout(index);
    IndexMeta meta = IndexMeta.read(layout.meta());
    IndexMeta.PassageSource source = meta.passageSources().get(0);
    if (!source.path().equals(generation)) {
      // Not corruption: a newer generation was published since the registry was read.
      throw new IOException("index '" + index + "' names generation " + source.path()
          + " while the registry names " + generation + "; the index is being replaced, retry");
    }
    IndexFiles.checkMeta(meta, layout.meta());
    PassageStore passages = IndexFiles.openPassages(layout.dir(), meta);
    try {
      Path dir = layout.resolve(source.path()).resolveSibling(IndexLayout.KEYWORDS);
      KeywordIndex bm25 = KeywordIndex.open(dir, TextAnalyzer.recorded(meta, layout.meta()), passages);
      return new Text(generation, passages, bm25);
    } catch (IOException | RuntimeException e) {
      passages.close();
      throw e;
    }
  }

  /** Forgets {@code index} (deleted); its files close after their last search. */
  void evict(String index) {
    Text text = open.remove(index);
    if (text != null) {
      text.release();
    }
  }

  @Override
  public void close() {
    open.keySet().forEach(this::evict);
  }
}
