package io.leann.shard.actor;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.protocol.cache.EmbeddingCache;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.concurrent.ReferenceCount;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import io.leann.shard.faiss.GraphFiles;
import io.leann.shard.filter.FilteredSearchPlanner;
import io.leann.shard.filter.MetadataColumns;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.search.ShardSearch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One shard of one index generation, opened from the index directory: its graph, the index's
 * passage store and the meta file that named them. The shard actor searches it from pooled threads.
 *
 * <p>Lifetime: reference counted, because a reload replaces the shard while searches still run on
 * it. The owner holds one reference from {@link #open} until {@link #retire()}; each search takes
 * one with {@link #acquire()} and gives it back with {@link #release()}; the files are unmapped
 * when the last reference goes, never under a running search.
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
  /** LEANN's meta file name at the top of an index directory. */
  static final String META = "documents.leann.meta.json";

  private final String index;
  private final int shard;
  private final IndexMeta meta;
  private final String generation;
  private final PassageStore passages;
  private final SearchableIndex graph;
  private final long firstRow;
  private final ReferenceCount references;
  /** Recomputed embeddings kept across searches; the two-level search's free exact distances. */
  private final EmbeddingCache<Integer> cache = new EmbeddingCache<>(ShardSearch.SHARD_CACHE_BYTES);
  private MetadataColumns columns;

  private LoadedShard(String index, int shard, IndexMeta meta, PassageStore passages, SearchableIndex graph,
      long firstRow) {
    this.index = index;
    this.shard = shard;
    this.meta = meta;
    this.generation = generationOf(meta);
    this.passages = passages;
    this.graph = graph;
    this.firstRow = firstRow;
    this.references = new ReferenceCount(() -> {
      graph.close();
      passages.close();
    });
  }

  /**
   * Opens shard {@code shard} of the index in {@code indexDir}, verifying every file as it is
   * mapped.
   *
   * @throws NoSuchFileException if the index has no meta file
   * @throws IndexFormatException if the index has no such shard or its files disagree with the meta
   */
  static LoadedShard open(Path indexDir, String index, int shard) throws IOException {
    IndexMeta meta = readMeta(indexDir);
    IndexMeta.Shard entry = meta.shards().stream().filter(s -> s.id() == shard).findFirst()
        .orElseThrow(() -> new IndexFormatException(indexDir.resolve(META), "index '" + index
            + "' has " + meta.shards().size() + " shards, no shard " + shard));
    IndexMeta.PassageSource source = meta.passageSources().get(0);
    PassageStore passages = source.idsPath() == null
        ? PassageStore.open(resolve(indexDir, source.path()), resolve(indexDir, source.indexPath()))
        : PassageStore.open(resolve(indexDir, source.path()), resolve(indexDir, source.indexPath()),
            resolve(indexDir, source.idsPath()));
    try {
      Path graphFile = resolve(indexDir, entry.graph());
      SearchableIndex graph = GraphFiles.open(graphFile, meta.metric());
      if (graph.size() != entry.count() || graph.dims() != meta.dimensions()) {
        graph.close();
        throw new IndexFormatException(graphFile, "holds " + graph.size() + " nodes of " + graph.dims()
            + " dimensions, meta says " + entry.count() + " of " + meta.dimensions());
      }
      return new LoadedShard(index, shard, meta, passages, graph, entry.firstRow());
    } catch (IOException | RuntimeException e) {
      passages.close();
      throw e;
    }
  }

  /** The generation the meta file in {@code indexDir} names now. */
  static String currentGeneration(Path indexDir) throws IOException {
    return generationOf(readMeta(indexDir));
  }

  private static IndexMeta readMeta(Path indexDir) throws IOException {
    IndexMeta meta = IndexMeta.read(indexDir.resolve(META));
    if (meta.shards() == null || meta.shards().isEmpty() || meta.passageSources() == null
        || meta.passageSources().isEmpty()) {
      throw new IndexFormatException(indexDir.resolve(META),
          "no shards or passage sources: not an index built by this LEANN");
    }
    return meta;
  }

  /** A generation is named by its passage file: each build writes it into a new directory. */
  private static String generationOf(IndexMeta meta) {
    return meta.passageSources().get(0).path();
  }

  /**
   * Resolves a path from the meta file against the index directory.
   *
   * @throws IndexFormatException if the path would leave the index directory
   */
  static Path resolve(Path indexDir, String relative) throws IndexFormatException {
    Path p = indexDir.resolve(relative).normalize();
    if (!p.startsWith(indexDir)) {
      throw new IndexFormatException(indexDir.resolve(META), "path '" + relative
          + "' leaves the index directory");
    }
    return p;
  }

  /** The hits of one search, closest first, and the work the engine did for them. */
  record Result(List<ShardHit> hits, SearchStats stats) {}

  /**
   * The {@code k} nearest passages to {@code query} in this shard, closest first; blocks. See
   * {@link ShardSearch} for the strategy.
   *
   * @param recomputer distances or embeddings for a graph without stored vectors, or null to use the vectors
   */
  <R extends Recomputer & NodeEmbedder> Result search(float[] query, int k, int ef, MetadataFilter filter,
      R recomputer, TwoLevelOptions twoLevel) {
    BitSet matches = null;
    if (!filter.isEmpty()) {
      int from = (int) firstRow;
      matches = columns().matching(filter).get(from, from + graph.size());
    }
    SearchResult r = ShardSearch.search(graph, query, k, ef, matches, recomputer, cache, twoLevel);
    Metric metric = meta.metric();
    List<ShardHit> hits = new ArrayList<>(r.size());
    for (int i = 0; i < r.size(); i++) {
      long row = firstRow + r.nodes()[i];
      Passage p = passage(row);
      float distance = r.distances()[i];
      hits.add(ShardHit.of(p.id(), row, distance, metric.toScore(distance), p.text(), p.metadata()));
    }
    return new Result(hits, r.stats());
  }

  /** Passage text of graph node {@code node}: what a recompute worker embeds. */
  String text(int node) {
    return passage(firstRow + node).text();
  }

  private Passage passage(long row) {
    try {
      return passages.get(row);
    } catch (PassageStoreException e) {
      throw new UncheckedIOException(e);
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
