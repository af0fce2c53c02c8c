package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.Recomputer;
import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphFileWriter;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.SegmentVectors;
import io.leann.shard.vector.VectorDistances;
import io.leann.shard.vector.VectorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * A searchable HNSW index: a {@link CompactGraph}, its metric, and optionally its vectors. Without
 * vectors (a pruned, LEANN-style index) it is searched through a {@link Recomputer}; with them,
 * either way. Loaded indexes read the mapped file in place.
 *
 * <p>Thread-safe for concurrent searches: each thread gets its own {@link GraphSearcher}. Closing
 * releases the mapped file or the native memory of a freshly built graph.
 */
public final class HnswIndex implements SearchableIndex {
  private final Metric metric;
  private final int dims;
  private final CompactGraph graph;
  private final VectorValues vectors;
  private final boolean pruned;
  private final AutoCloseable owner;
  private final ThreadLocal<GraphSearcher> searchers = ThreadLocal.withInitial(GraphSearcher::new);

  private HnswIndex(Metric metric, int dims, CompactGraph graph, VectorValues vectors, boolean pruned,
      AutoCloseable owner) {
    this.metric = metric;
    this.dims = dims;
    this.graph = graph;
    this.vectors = vectors;
    this.pruned = pruned;
    this.owner = owner;
  }

  /**
   * Options for {@link #build}.
   *
   * @param compact CSR level 0 without padding
   * @param prune pruning parameters, or null to keep the full graph
   * @param keepVectors store the vectors in the index (otherwise search needs a recomputer)
   */
  public record BuildOptions(boolean compact, PruneParams prune, boolean keepVectors) {
    /** LEANN's default: compact, pruned, no stored vectors. */
    public static BuildOptions leannDefault(int m) {
      return new BuildOptions(true, PruneParams.forBuildDegree(m), false);
    }

    /** A conventional HNSW index: compact, unpruned, vectors kept. */
    public static BuildOptions withVectors() {
      return new BuildOptions(true, null, true);
    }
  }

  /**
   * Builds an index over {@code vectors} (normalised in place for cosine).
   */
  public static HnswIndex build(ArrayVectors vectors, HnswParams params, BuildOptions options) {
    if (params.metric().normalises()) {
      vectors.normaliseRows();
    }
    OnHeapGraph built = HnswBuilder.build(vectors, params);
    return fromBuilt(built, vectors, params.metric(), options);
  }

  /** Freezes an already built graph (pruning it first if asked). */
  public static HnswIndex fromBuilt(OnHeapGraph built, ArrayVectors vectors, Metric metric,
      BuildOptions options) {
    if (options.prune() != null) {
      GraphPruner.prune(built, vectors, metric, options.prune());
    }
    Arena arena = Arena.ofShared();
    CompactGraph graph = CompactGraph.of(built, options.compact(), arena);
    return new HnswIndex(metric, vectors.dims(), graph, options.keepVectors() ? vectors : null,
        options.prune() != null, arena);
  }

  /** Maps and verifies an index file. */
  public static HnswIndex load(Path path) throws IOException {
    GraphFile file = GraphFile.open(path);
    try {
      GraphHeader h = file.header();
      CompactGraph graph = CompactGraph.fromFile(file);
      VectorValues vectors = null;
      if (h.hasVectors()) {
        MemorySegment seg = file.requireSection(GraphSection.VECTORS);
        if (seg.byteSize() != (long) h.nodeCount() * h.dims() * Float.BYTES) {
          throw new IndexFormatException(path, "vector section has " + seg.byteSize()
              + " bytes, expected " + h.nodeCount() + " x " + h.dims() + " floats");
        }
        vectors = new SegmentVectors(seg, h.dims(), h.nodeCount());
      }
      return new HnswIndex(h.metric(), h.dims(), graph, vectors, h.pruned(), file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Writes the index atomically to {@code path}. */
  public void save(Path path) throws IOException {
    Map<GraphSection, MemorySegment> sections = graph.sections();
    int flags = (graph.compact() ? GraphHeader.COMPACT : 0) | (pruned ? GraphHeader.PRUNED : 0);
    if (vectors != null) {
      flags |= GraphHeader.HAS_VECTORS;
      sections.put(GraphSection.VECTORS, vectorBytes());
    }
    GraphHeader header = new GraphHeader(metric, dims, graph.size(), graph.maxDegree(1),
        graph.maxDegree(0), graph.entryPoint(), graph.maxLevel(), flags);
    GraphFileWriter.write(path, header, sections);
  }

  private MemorySegment vectorBytes() {
    if (vectors instanceof ArrayVectors a) {
      // Heap float[] is in native order; the file is little-endian, so copy through the LE layout.
      MemorySegment out = Arena.ofAuto().allocate(a.byteSize());
      MemorySegment.copy(a.data(), 0, out, LittleEndian.FLOAT, 0, a.data().length);
      return out;
    }
    MemorySegment out = Arena.ofAuto().allocate(vectors.byteSize());
    float[] row = new float[dims];
    for (int i = 0; i < vectors.size(); i++) {
      vectors.copyTo(i, row);
      MemorySegment.copy(row, 0, out, LittleEndian.FLOAT,
          (long) i * dims * Float.BYTES, dims);
    }
    return out;
  }

  /** Searches with the stored vectors. */
  public SearchResult search(float[] query, int k, int ef) {
    return search(query, k, ef, null, null);
  }

  /** Searches with distances from {@code recomputer}, one request per expansion step. */
  public SearchResult search(float[] query, int k, int ef, Recomputer recomputer) {
    return search(query, k, ef, null, recomputer);
  }

  /**
   * Searches for the {@code k} nearest nodes that {@code accept} admits, filtering during the
   * traversal (see {@link GraphSearcher#search(HnswGraph, DistanceSource, int, int, IntPredicate)}).
   *
   * @param accept node filter, or null for all nodes
   * @param recomputer distance source for an index without vectors; null to use stored vectors
   * @throws IllegalStateException if no recomputer is given and the index stores no vectors
   */
  public SearchResult search(float[] query, int k, int ef, IntPredicate accept, Recomputer recomputer) {
    return searchers.get().search(graph, distanceSource(query, recomputer), k, ef, accept);
  }

  /**
   * The distance source a search of {@code query} uses: recomputed through {@code recomputer} if
   * one is given, else the stored vectors. Checks the dimensions and normalises for cosine.
   *
   * @throws IllegalStateException if no recomputer is given and the index stores no vectors
   */
  public DistanceSource distanceSource(float[] query, Recomputer recomputer) {
    float[] q = prepareQuery(query);
    if (recomputer != null) {
      return new RecomputeDistances(recomputer, q);
    }
    if (vectors == null) {
      throw new IllegalStateException("this index stores no vectors (it was built for recomputation); "
          + "search it with a recomputer");
    }
    return new StoredVectorDistances(vectors, metric).setQuery(q);
  }

  /** Checks the dimensions and, for cosine, returns a normalised copy. */
  float[] prepareQuery(float[] query) {
    if (query.length != dims) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, index has " + dims);
    }
    if (!metric.normalises()) {
      return query;
    }
    float[] q = query.clone();
    VectorDistances.normalize(q);
    return q;
  }

  public Metric metric() {
    return metric;
  }

  public int dims() {
    return dims;
  }

  public int size() {
    return graph.size();
  }

  public CompactGraph graph() {
    return graph;
  }

  public boolean pruned() {
    return pruned;
  }

  public boolean hasVectors() {
    return vectors != null;
  }

  /** Bytes of graph plus stored vectors. */
  public long byteSize() {
    return graph.byteSize() + (vectors == null ? 0 : vectors.byteSize());
  }

  @Override
  public void close() {
    try {
      owner.close();
    } catch (Exception e) {
      throw new IllegalStateException("failed to release index memory", e);
    }
  }
}
