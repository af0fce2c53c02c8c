package io.leann.coordinator.search;

import io.leann.coordinator.index.IndexLayout;
import io.leann.embed.Embedder;
import io.leann.protocol.Metric;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.filter.MetadataColumns;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.search.OpenShard;
import io.leann.shard.text.KeywordIndex;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * An index opened from disk in this process: its meta, its passage store and one mapped graph per
 * shard. Search embeds nothing itself; it takes the query vector, searches every shard (with
 * stored vectors, or by recomputing embeddings of the nodes it visits) and merges the top k.
 *
 * <p>Filters are applied during the graph traversal (or by an exact scan of the matches when they
 * are few), so a filtered search returns {@code k} results whenever {@code k} passages match.
 *
 * <p>Thread safety: concurrent stored-vector searches are safe; a recompute search uses the
 * caller's {@link Embedder} through a per-call recomputer, so it is safe when the embedder is.
 */
public final class LocalIndex implements AutoCloseable {
  private final IndexLayout layout;
  private final IndexMeta meta;
  private final PassageStore passages;
  private final List<OpenShard> shards;
  private MetadataColumns columns;
  private KeywordIndex bm25;

  /** Passages found by a dense search, closest first, and the work it took summed over shards. */
  public record DenseHits(List<SearchHit> hits, SearchStats stats) {}

  private LocalIndex(IndexLayout layout, IndexMeta meta, PassageStore passages, List<OpenShard> shards) {
    this.layout = layout;
    this.meta = meta;
    this.passages = passages;
    this.shards = shards;
  }

  /**
   * Opens the index whose meta file is in {@code layout}; every file is verified as it is mapped.
   *
   * @throws java.nio.file.NoSuchFileException if there is no meta file
   * @throws IndexCorruptException if a file fails its checks or disagrees with the meta
   */
  public static LocalIndex open(IndexLayout layout) throws IOException {
    return open(layout, readMeta(layout));
  }

  /**
   * The meta file of {@code layout}.
   *
   * @throws IndexCorruptException if it is malformed, altered or of another format version
   */
  public static IndexMeta readMeta(IndexLayout layout) throws IOException {
    return verified(layout, () -> IndexMeta.read(layout.meta()));
  }

  /**
   * Opens the index {@code meta} describes, whose files are in {@code layout}: for a meta not yet
   * published, so an import can check that its files open before it commits. The files are
   * cross-checked against the meta ({@link IndexFiles}).
   *
   * @throws IndexCorruptException if a file fails its checks or disagrees with the meta
   */
  public static LocalIndex open(IndexLayout layout, IndexMeta meta) throws IOException {
    if (meta.shards() == null || meta.shards().isEmpty() || meta.passageSources() == null
        || meta.passageSources().isEmpty()) {
      throw new IndexFormatException(layout.meta(), "no shards or passage sources: not an index built by this LEANN"
          + " (an index built by the Python LEANN is served after `leann import " + layout.dir().resolve("documents.leann")
          + " --name <new name>`)");
    }
    return verified(layout, () -> {
      IndexFiles.checkMeta(meta, layout.meta());
      PassageStore passages = IndexFiles.openPassages(layout.dir(), meta);
      List<OpenShard> shards = new ArrayList<>();
      try {
        for (IndexMeta.Shard s : meta.shards()) {
          shards.add(new OpenShard(IndexFiles.openGraph(layout.dir(), meta, s), s.firstRow(), passages));
        }
      } catch (IOException | RuntimeException e) {
        shards.forEach(s -> s.graph().close());
        passages.close();
        throw e;
      }
      return new LocalIndex(layout, meta, passages, shards);
    });
  }

  /** A read of an index's files. */
  @FunctionalInterface
  public interface FileRead<T> {
    T read() throws IOException;
  }

  /**
   * Runs {@code read} over the files of the index in {@code layout}; a file failing its checks (an
   * {@link IndexFormatException}, thrown or wrapped unchecked by a stream) surfaces as the
   * {@link IndexCorruptException} of this index, which names the file relative to its directory.
   */
  public static <T> T verified(IndexLayout layout, FileRead<T> read) throws IOException {
    try {
      return read.read();
    } catch (IndexFormatException e) {
      throw IndexCorruptException.of(layout.name(), layout.dir(), e);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof IndexFormatException corrupt) {
        throw IndexCorruptException.of(layout.name(), layout.dir(), corrupt);
      }
      throw e;
    }
  }

  public IndexMeta meta() {
    return meta;
  }

  public IndexLayout layout() {
    return layout;
  }

  public PassageStore passages() {
    return passages;
  }

  public Metric metric() {
    return meta.metric();
  }

  public int shardCount() {
    return shards.size();
  }

  /** The graph of shard {@code k}. */
  public SearchableIndex shardGraph(int k) {
    return shards.get(k).graph();
  }

  /** Passage row of node 0 of shard {@code k}. */
  public long shardFirstRow(int k) {
    return shards.get(k).firstRow();
  }

  /** Whether every shard keeps its vectors (so search can run without recomputation). */
  public boolean hasVectors() {
    return shards.stream().allMatch(s -> s.graph().hasVectors());
  }

  /**
   * The {@code k} best passages for {@code query} over all shards, with the default two-level knobs.
   *
   * @param recomputeWith embedder for recompute mode, or null to search stored vectors
   * @param filter metadata filter, or null for all passages
   */
  public List<SearchHit> search(float[] query, int k, int ef, Embedder recomputeWith, MetadataFilter filter)
      throws IOException {
    return search(query, k, ef, recomputeWith, filter, TwoLevelOptions.defaults()).hits();
  }

  /**
   * The {@code k} best passages for {@code query} over all shards (see {@link OpenShard} for how
   * each shard is searched), merged by {@link ShardHit#merge}, and the cost.
   *
   * @param recomputeWith embedder for recompute mode, or null to search stored vectors
   * @param filter metadata filter, or null for all passages
   * @param twoLevel knobs for shards with PQ codes searched in recompute mode
   */
  public DenseHits search(float[] query, int k, int ef, Embedder recomputeWith, MetadataFilter filter,
      TwoLevelOptions twoLevel) throws IOException {
    OpenShard.Hits found = merged(query, k, ef, recomputeWith, filter, twoLevel);
    List<SearchHit> hits = new ArrayList<>(found.hits().size());
    for (ShardHit h : found.hits()) {
      hits.add(new SearchHit(h.id(), h.score(), h.text(), h.metadataMap()));
    }
    return new DenseHits(hits, found.stats());
  }

  /** Like {@link #search(float[], int, int, Embedder, MetadataFilter, TwoLevelOptions)}, as shard hits. */
  OpenShard.Hits merged(float[] query, int k, int ef, Embedder recomputeWith, MetadataFilter filter,
      TwoLevelOptions twoLevel) throws IOException {
    return verified(layout, () -> mergedUnchecked(query, k, ef, recomputeWith, filter, twoLevel));
  }

  private OpenShard.Hits mergedUnchecked(float[] query, int k, int ef, Embedder recomputeWith,
      MetadataFilter filter, TwoLevelOptions twoLevel) throws IOException {
    if (query.length != meta.dimensions()) {
      throw new IllegalArgumentException("query has " + query.length + " dimensions, index '"
          + layout.name() + "' has " + meta.dimensions());
    }
    if (recomputeWith == null && !searchableWithoutRecompute()) {
      throw new IllegalStateException(SearchableIndex.recomputeRequired(layout.name()));
    }
    BitSet matches = filter == null || filter.isEmpty() ? null : columns().matching(filter);
    List<List<ShardHit>> perShard = new ArrayList<>();
    SearchStats stats = new SearchStats(0, 0, 0);
    for (OpenShard s : shards) {
      EmbedderRecomputer recomputer = recomputeWith == null ? null
          : new EmbedderRecomputer(recomputeWith, passages, s.firstRow(), metric());
      OpenShard.Hits found = s.search(query, k, ef, matches, recomputer, twoLevel);
      perShard.add(found.hits());
      stats = stats.plus(found.stats());
    }
    return new OpenShard.Hits(ShardHit.merge(perShard, k), stats);
  }

  /** Whether every shard can be searched without recompute ({@link SearchableIndex#searchableWithoutRecompute()}). */
  public boolean searchableWithoutRecompute() {
    return shards.stream().allMatch(s -> s.graph().searchableWithoutRecompute());
  }

  /** The passage at {@code row} as a hit with {@code score}. */
  public SearchHit hit(long row, float score) throws IOException {
    Passage p = verified(layout, () -> passages.get(row));
    return new SearchHit(p.id(), score, p.text(), p.metadata());
  }

  /** Metadata columns for filtering, built from the passages on first use. */
  public synchronized MetadataColumns columns() throws IOException {
    if (columns == null) {
      columns = verified(layout, () -> MetadataColumns.build(passages));
    }
    return columns;
  }

  /** The BM25 keyword index of the passages, opened (and checksummed) on first use. */
  public synchronized KeywordIndex bm25() throws IOException {
    if (bm25 == null) {
      Path dir = layout.resolve(meta.passageSources().get(0).path()).resolveSibling(IndexLayout.KEYWORDS);
      bm25 = verified(layout, () -> KeywordIndex.open(dir, TextAnalyzer.recorded(meta, layout.meta()), passages));
    }
    return bm25;
  }

  @Override
  public void close() {
    shards.forEach(s -> s.graph().close());
    synchronized (this) {
      if (bm25 != null) {
        try {
          bm25.close();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot close the keyword index of '" + layout.name() + "'", e);
        }
      }
    }
    passages.close();
  }
}
