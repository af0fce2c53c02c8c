package io.leann.shard.actor;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.concurrent.ReferenceCount;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import io.leann.shard.filter.MetadataColumns;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.search.OpenShard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One shard of one index generation, opened from the index directory: its graph, the index's
 * passage store and the meta file that named them. The shard actor searches it from pooled threads.
 *
 * <p>Lifetime: reference counted, because a reload replaces the shard while searches still run on
 * it. The owner holds one reference from {@link #open} until {@link #retire()}; each search takes
 * one with {@link #acquire()} and gives it back with {@link #release()}; the files are unmapped
 * when the last reference goes, never under a running search; until then the shard holds an
 * {@link IndexDirectory} lease on its generation, so no commit deletes the files under it.
 *
 * <p>Metadata filters: the columns are built over the whole passage store, the same way the
 * in-process engine builds them, and sliced to this shard's rows; that keeps filtered results
 * identical to a local search at the cost of one scan of all rows per loaded shard (4 bytes per row
 * and field), paid on the first filtered search only.
 *
 * <p>Thread-safe: the graph and the store support concurrent reads; the columns are built once
 * under this object's lock.
 */
final class LoadedShard {
  private final String index;
  private final int shard;
  private final Path indexDir;
  private final IndexMeta meta;
  private final String generation;
  private final PassageStore passages;
  private final SearchableIndex graph;
  private final long firstRow;
  private final OpenShard engine;
  private final ReferenceCount references;
  private MetadataColumns columns;

  private LoadedShard(String index, int shard, Path indexDir, IndexMeta meta, PassageStore passages,
      SearchableIndex graph, long firstRow, IndexDirectory.Lease lease) {
    this.index = index;
    this.shard = shard;
    this.indexDir = indexDir;
    this.meta = meta;
    this.generation = generationOf(meta);
    this.passages = passages;
    this.graph = graph;
    this.firstRow = firstRow;
    this.engine = new OpenShard(graph, firstRow, passages);
    this.references = new ReferenceCount(() -> {
      graph.close();
      passages.close();
      lease.close();
    });
  }

  /**
   * Opens shard {@code shard} of the index in {@code indexDir}, verifying every file as it is
   * mapped and cross-checking it against the meta ({@link IndexFiles}).
   *
   * @throws NoSuchFileException if the index has no meta file
   * @throws IndexCorruptException if the index has no such shard or its files are corrupt or disagree
   *     with the meta
   */
  static LoadedShard open(Path indexDir, String index, int shard) throws IOException {
    try {
      IndexMeta meta = readMeta(indexDir);
      IndexMeta.Shard entry = meta.shards().stream().filter(s -> s.id() == shard).findFirst()
          .orElseThrow(() -> new IndexFormatException(indexDir.resolve(IndexFiles.META), "index '" + index
              + "' has " + meta.shards().size() + " shards, no shard " + shard));
      // Leased before its files are opened: the generation stays on disk until the shard closes.
      IndexDirectory.Lease lease = IndexDirectory.of(indexDir).acquire(IndexDirectory.generationOf(meta));
      try {
        PassageStore passages = IndexFiles.openPassages(indexDir, meta);
        try {
          SearchableIndex graph = IndexFiles.openGraph(indexDir, meta, entry);
          return new LoadedShard(index, shard, indexDir, meta, passages, graph, entry.firstRow(), lease);
        } catch (IOException | RuntimeException e) {
          passages.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        lease.close();
        throw e;
      }
    } catch (IndexFormatException e) {
      throw IndexCorruptException.of(index, indexDir, e);
    }
  }

  /** The generation the meta file in {@code indexDir} names now. */
  static String currentGeneration(Path indexDir) throws IOException {
    return generationOf(readMeta(indexDir));
  }

  private static IndexMeta readMeta(Path indexDir) throws IOException {
    Path file = indexDir.resolve(IndexFiles.META);
    IndexMeta meta = IndexMeta.read(file);
    IndexFiles.checkMeta(meta, file);
    return meta;
  }

  /** A generation is named by its passage file: each build writes it into a new directory. */
  private static String generationOf(IndexMeta meta) {
    return meta.passageSources().get(0).path();
  }

  /**
   * The {@code k} nearest passages to {@code query} in this shard, closest first; blocks. See
   * {@link OpenShard}.
   *
   * @param recomputer distances or embeddings for a graph without stored vectors, or null to use the vectors
   * @throws IndexCorruptException if a file fails its checks
   */
  <R extends Recomputer & NodeEmbedder> OpenShard.Hits search(float[] query, int k, int ef, MetadataFilter filter,
      R recomputer, TwoLevelOptions twoLevel) {
    try {
      return engine.search(query, k, ef, filter.isEmpty() ? null : columns().matching(filter), recomputer, twoLevel);
    } catch (IndexFormatException corrupt) {
      throw IndexCorruptException.of(index, indexDir, corrupt);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof IndexFormatException corrupt) {
        throw IndexCorruptException.of(index, indexDir, corrupt);
      }
      throw e;
    }
  }

  /**
   * Passage text of graph node {@code node} behind the index's passage template: what a recompute
   * worker embeds, exactly as the build embedded it, or the recomputed distances would not be
   * those the graph was built on.
   *
   * @throws IndexCorruptException if the passage fails its checks
   */
  String text(int node) {
    return PromptTemplates.of(meta.embeddingOptions()).passage(passage(firstRow + node).text());
  }

  /** @throws IndexCorruptException if the passage fails its checks */
  private Passage passage(long row) {
    try {
      return passages.get(row);
    } catch (PassageStoreException e) {
      throw IndexCorruptException.of(index, indexDir, e);
    }
  }

  private synchronized MetadataColumns columns() {
    if (columns == null) {
      columns = MetadataColumns.build(passages);
    }
    return columns;
  }

  /** Takes a reference for one search; false once the shard has been closed. */
  boolean acquire() {
    return references.acquire();
  }

  /** Gives back a reference; the last one closes the files. */
  void release() {
    references.release();
  }

  /** Gives up the owner's reference: the shard closes once its running searches finish. */
  void retire() {
    release();
  }

  String index() {
    return index;
  }

  int shard() {
    return shard;
  }

  String generation() {
    return generation;
  }

  String model() {
    return meta.embeddingModel();
  }

  int dimensions() {
    return meta.dimensions();
  }

  /** The tokens per text the index was embedded with, null for the model's default. */
  Integer maxSeqLength() {
    return meta.maxSeqLength();
  }

  Metric metric() {
    return meta.metric();
  }

  boolean hasVectors() {
    return graph.hasVectors();
  }

  boolean searchableWithoutRecompute() {
    return graph.searchableWithoutRecompute();
  }
}
