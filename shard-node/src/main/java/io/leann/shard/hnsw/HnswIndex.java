package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphFileWriter;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.pq.PqCodes;
import io.leann.shard.pq.PqParams;
import io.leann.shard.pq.ProductQuantizer;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.SegmentVectors;
import io.leann.shard.vector.VectorDistances;
import io.leann.shard.vector.VectorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Our own HNSW index: a {@link CompactGraph}, its metric, and optionally its vectors, PQ codes and
 * hub embeddings. Without vectors (a pruned, LEANN-style index) it is searched by recomputing
 * embeddings, or, when it has PQ codes, by the two-level search that recomputes only the most
 * promising nodes; with vectors, any way (see {@code io.leann.shard.search.SearchPlan}). Loaded
 * indexes read the mapped file in place.
 *
 * <p>Immutable once built or loaded, so concurrent searches are safe. Closing releases the mapped
 * file or the native memory of a freshly built graph.
 */
public final class HnswIndex implements SearchableIndex {
  private final Metric metric;
  private final int dims;
  private final CompactGraph graph;
  private final VectorValues vectors;
  private final boolean pruned;
  private final PqCodes pq;
  private final HubVectors hubs;
  private final AutoCloseable owner;

  private HnswIndex(Metric metric, int dims, CompactGraph graph, VectorValues vectors, boolean pruned,
      PqCodes pq, HubVectors hubs, AutoCloseable owner) {
    this.metric = metric;
    this.dims = dims;
    this.graph = graph;
    this.vectors = vectors;
    this.pruned = pruned;
    this.pq = pq;
    this.hubs = hubs;
    this.owner = owner;
  }

  /**
   * Options for {@link #build}.
   *
   * @param compact CSR level 0 without padding
   * @param prune pruning parameters, or null to keep the full graph
   * @param keepVectors store the vectors in the index (otherwise search needs a recomputer)
   * @param pq PQ training parameters, or null for no PQ codes (then no two-level search)
   * @param hubBudget share of the float vectors' bytes spent on exact hub embeddings; 0 for none
   */
  public record BuildOptions(boolean compact, PruneParams prune, boolean keepVectors, PqParams pq,
      double hubBudget) {
    public BuildOptions {
      if (!(hubBudget >= 0 && hubBudget <= 1)) {
        throw new IllegalArgumentException("hub budget must lie in [0, 1]: " + hubBudget);
      }
    }

    public BuildOptions(boolean compact, PruneParams prune, boolean keepVectors) {
      this(compact, prune, keepVectors, null, 0);
    }

    /** LEANN's default: compact, pruned, no stored vectors. */
    public static BuildOptions leannDefault(int m) {
      return new BuildOptions(true, PruneParams.forBuildDegree(m), false);
    }

    /** A conventional HNSW index: compact, unpruned, vectors kept. */
    public static BuildOptions withVectors() {
      return new BuildOptions(true, null, true);
    }

    public BuildOptions withPq(PqParams params, double hubs) {
      return new BuildOptions(compact, prune, keepVectors, params, hubs);
    }
  }

  /**
   * Builds an index over {@code vectors} (normalised in place for cosine).
   */
  public static HnswIndex build(ArrayVectors vectors, HnswParams params, BuildOptions options) {
    return build(vectors, params, options, graphBytes -> options.pq());
  }

  /** {@link #build(ArrayVectors, HnswParams, BuildOptions)} with the PQ chosen as {@link #fromBuilt(OnHeapGraph, ArrayVectors, Metric, BuildOptions, LongFunction)} does. */
  static HnswIndex build(ArrayVectors vectors, HnswParams params, BuildOptions options,
      LongFunction<PqParams> pqForGraphBytes) {
    if (params.metric().normalises()) {
      vectors.normaliseRows();
    }
    OnHeapGraph built = HnswBuilder.build(vectors, params);
    return fromBuilt(built, vectors, params.metric(), options, pqForGraphBytes);
  }

  /** Freezes an already built graph (pruning it first if asked). */
  public static HnswIndex fromBuilt(OnHeapGraph built, ArrayVectors vectors, Metric metric,
      BuildOptions options) {
    return fromBuilt(built, vectors, metric, options, graphBytes -> options.pq());
  }

  /**
   * {@link #fromBuilt(OnHeapGraph, ArrayVectors, Metric, BuildOptions)} with the PQ parameters
   * chosen once the packed graph's bytes are known ({@code options.pq()} is ignored): a PQ sized to
   * share a byte budget with the graph ({@link GraphBuild}).
   */
  static HnswIndex fromBuilt(OnHeapGraph built, ArrayVectors vectors, Metric metric, BuildOptions options,
      LongFunction<PqParams> pqForGraphBytes) {
    if (options.prune() != null) {
      GraphPruner.prune(built, vectors, metric, options.prune());
    }
    Arena arena = Arena.ofShared();
    // Without stored vectors the graph is most of the index: pack it.
    CompactGraph graph = CompactGraph.of(built, options.compact(), !options.keepVectors(), arena);
    PqCodes pq = null;
    PqParams pqParams = pqForGraphBytes.apply(graph.byteSize());
    if (pqParams != null && vectors.size() > 0) {
      ProductQuantizer quantizer = ProductQuantizer.train(vectors, pqParams);
      pq = PqCodes.of(quantizer, quantizer.encodeAll(vectors));
    }
    HubVectors hubs = options.hubBudget() > 0
        ? HubVectors.select(graph, vectors, (long) (options.hubBudget() * vectors.byteSize()))
        : null;
    return new HnswIndex(metric, vectors.dims(), graph, options.keepVectors() ? vectors : null,
        options.prune() != null, pq, hubs, arena);
  }

  /**
   * This index's graph with PQ codes trained on {@code vectors} and hub embeddings taken from them:
   * turns an existing index into a two-level one without re-embedding, from the vectors a build keeps
   * (its embedding cache) or stores. The result has no stored vectors and borrows this index's
   * memory: keep this index open while it is used, and close this one, not the result.
   *
   * @param vectors the embeddings of this index's nodes, in node order (unit rows for cosine)
   */
  public HnswIndex withTwoLevelData(VectorValues vectors, PqParams params, double hubBudget) {
    if (vectors.size() != graph.size() || vectors.dims() != dims) {
      throw new IllegalArgumentException("expected " + graph.size() + " x " + dims + " vectors, got "
          + vectors.size() + " x " + vectors.dims());
    }
    ProductQuantizer quantizer = ProductQuantizer.train(vectors, params);
    PqCodes codes = PqCodes.of(quantizer, quantizer.encodeAll(vectors));
    HubVectors hubVectors = hubBudget > 0
        ? HubVectors.select(graph, vectors, (long) (hubBudget * (double) graph.size() * dims * Float.BYTES))
        : null;
    return new HnswIndex(metric, dims, graph, null, pruned, codes, hubVectors, () -> { });
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
      PqCodes pq = null;
      HubVectors hubs = null;
      try {
        MemorySegment codebooks = file.section(GraphSection.PQ_CODEBOOKS);
        MemorySegment codes = file.section(GraphSection.PQ_CODES);
        if ((codebooks == null) != (codes == null)) {
          throw new IllegalArgumentException("PQ codebooks and codes must come together");
        }
        if (codebooks != null) {
          ProductQuantizer quantizer = ProductQuantizer.fromSegment(codebooks);
          if (quantizer.dims() != h.dims()) {
            throw new IllegalArgumentException("PQ codebooks are " + quantizer.dims()
                + "-dimensional, the index is " + h.dims());
          }
          pq = new PqCodes(quantizer, codes, h.nodeCount());
        }
        MemorySegment hubNodes = file.section(GraphSection.HUB_NODES);
        MemorySegment hubVectors = file.section(GraphSection.HUB_VECTORS);
        if ((hubNodes == null) != (hubVectors == null)) {
          throw new IllegalArgumentException("hub nodes and hub vectors must come together");
        }
        if (hubNodes != null) {
          hubs = HubVectors.fromSegments(hubNodes, hubVectors, h.dims(), h.nodeCount());
        }
      } catch (IllegalArgumentException e) {
        throw new IndexFormatException(path, e.getMessage());
      }
      return new HnswIndex(h.metric(), h.dims(), graph, vectors, h.pruned(), pq, hubs, file);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /** Writes the index atomically to {@code path}. */
  public void save(Path path) throws IOException {
    Map<GraphSection, MemorySegment> sections = graph.sections();
    int flags = (graph.compact() ? GraphHeader.COMPACT : 0) | (pruned ? GraphHeader.PRUNED : 0)
        | (graph.packed() ? GraphHeader.PACKED : 0);
    if (vectors != null) {
      flags |= GraphHeader.HAS_VECTORS;
      sections.put(GraphSection.VECTORS, vectorBytes());
    }
    if (pq != null) {
      sections.put(GraphSection.PQ_CODEBOOKS, pq.quantizer().toSegment());
      sections.put(GraphSection.PQ_CODES, pq.segment());
    }
    if (hubs != null) {
      sections.put(GraphSection.HUB_NODES, hubs.nodeSegment());
      sections.put(GraphSection.HUB_VECTORS, hubs.vectorSegment());
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

  @Override
  public VectorValues vectors() {
    return vectors;
  }

  @Override
  public PqCodes pq() {
    return pq;
  }

  @Override
  public HubVectors hubs() {
    return hubs;
  }

  /** Bytes of graph, stored vectors, PQ codebooks and codes, and hub embeddings. */
  public long byteSize() {
    return graph.byteSize() + (vectors == null ? 0 : vectors.byteSize())
        + (pq == null ? 0 : pq.quantizer().byteSize() + pq.byteSize())
        + (hubs == null ? 0 : hubs.byteSize());
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
