package io.leann.shard.faiss;

import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexFormatException;
import io.leann.shard.hnsw.HnswGraph;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.vector.SegmentVectors;
import io.leann.shard.vector.VectorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An HNSW index written by the Python LEANN (a FAISS {@code IHNf} file), memory-mapped and searched
 * in place by our engine: with its stored vectors (the fork's padded layout with
 * {@code IxFI}/{@code IxF2} storage) or, for the compact CSR layout with {@code null} storage, with
 * recomputed distances. The file layout is in {@code shared/reference/leann.md} §1.
 *
 * <p>{@link #open} parses and validates the whole file (O(nodes + edges), sequential) so that a
 * truncated or corrupt file fails there with the FAISS field that is wrong; FAISS files carry no
 * checksums, so a flipped bit inside a vector or a still-valid neighbour id cannot be detected.
 *
 * <p>Metric: FAISS stores inner product (0) or L2 (1); LEANN's cosine is inner product over unit
 * vectors, so the metric the meta declares decides between mips and cosine (the query is normalised
 * for cosine), and a declared metric FAISS does not store is refused.
 *
 * <p>Immutable once open, so concurrent searches are safe; {@link #close()} unmaps the file and
 * must follow the last search.
 */
public final class FaissIndex implements SearchableIndex {
  /** FAISS's {@code METRIC_INNER_PRODUCT} and {@code METRIC_L2}. */
  private static final int FAISS_IP = 0;
  private static final int FAISS_L2 = 1;
  private static final String HNSW_FLAT = "IHNf";

  private final Path path;
  private final Metric metric;
  private final int dims;
  private final FaissGraph graph;
  private final VectorValues vectors;
  private final Arena arena;

  private FaissIndex(Path path, Metric metric, int dims, FaissGraph graph, VectorValues vectors, Arena arena) {
    this.path = path;
    this.metric = metric;
    this.dims = dims;
    this.graph = graph;
    this.vectors = vectors;
    this.arena = arena;
  }

  /** Whether {@code head} (the first bytes of a file) is a FAISS HNSW-flat index. */
  public static boolean isFaissHnsw(byte[] head) {
    return head.length >= 4 && head[0] == 'I' && head[1] == 'H' && head[2] == 'N' && head[3] == 'f';
  }

  /**
   * Maps and validates a FAISS HNSW file.
   *
   * @param declared the metric the index's meta file declares (mips, cosine or l2)
   * @throws IndexFormatException naming the file and the FAISS field if the file is malformed, or
   *     if its metric contradicts {@code declared}
   */
  public static FaissIndex open(Path path, Metric declared) throws IOException {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment file;
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(path.toString(), null, "FAISS index file not found");
      }
      return parse(path, declared, new FaissReader(path, file), arena);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static FaissIndex parse(Path path, Metric declared, FaissReader r, Arena arena)
      throws IOException {
    String tag = r.fourcc("fourcc");
    if (!HNSW_FLAT.equals(tag)) {
      throw r.fail("fourcc", "is " + tag + ", expected IHNf (an HNSW-flat index as the Python LEANN"
          + " writes it)");
    }
    Header h = Header.read(r, "index header");
    MemorySegment assignProbas = r.vector("assign_probas", Double.BYTES);
    if (assignProbas.byteSize() == 0) {
      throw r.fail("assign_probas", "is empty");
    }
    MemorySegment cum = r.vector("cum_nneighbor_per_level", Integer.BYTES);
    MemorySegment levels = r.vector("levels", Integer.BYTES);
    int compactFlag = r.u8("storage_is_compact");
    if (compactFlag > 1) {
      throw r.fail("storage_is_compact", "is " + compactFlag + ", expected 0 or 1 (a file written by"
          + " plain FAISS, without the LEANN fork's flag, lands here too)");
    }
    FaissGraph graph;
    String storage;
    if (compactFlag == 0) {
      MemorySegment offsets = r.vector("offsets", Long.BYTES);
      MemorySegment neighbors = r.vector("neighbors", Integer.BYTES);
      Scalars s = Scalars.read(r);
      graph = FaissGraph.padded(r, common(r, h, cum, levels, s), offsets, neighbors);
      storage = r.fourcc("storage fourcc");
    } else {
      MemorySegment levelPtr = r.vector("compact_level_ptr", Long.BYTES);
      MemorySegment nodeOffsets = r.vector("compact_node_offsets", Long.BYTES);
      Scalars s = Scalars.read(r);
      storage = r.fourcc("storage fourcc");
      MemorySegment data = r.vector("compact_neighbors_data", Integer.BYTES);
      graph = FaissGraph.compact(r, common(r, h, cum, levels, s), levelPtr, nodeOffsets, data);
    }
    VectorValues vectors = storage(r, h, storage);
    if (r.remaining() != 0) {
      throw r.fail("end of file", r.remaining() + " bytes follow the index");
    }
    return new FaissIndex(path, metric(r, h.metricType(), declared), h.dims(), graph, vectors, arena);
  }

  private static FaissGraph.Common common(FaissReader r, Header h, MemorySegment cum, MemorySegment levels,
      Scalars s) throws IndexFormatException {
    return FaissGraph.Common.validate(r, h.size(), cum, levels, s.entryPoint(), s.maxLevel());
  }

  /** The flat storage sub-index: its vectors, or null for LEANN's {@code null} (pruned) storage. */
  private static VectorValues storage(FaissReader r, Header h, String tag) throws IndexFormatException {
    if ("null".equals(tag)) {
      return null;
    }
    int expectedMetric = switch (tag) {
      case "IxFI" -> FAISS_IP;
      case "IxF2" -> FAISS_L2;
      default -> throw r.fail("storage fourcc", "is " + tag + ", expected IxFI, IxF2 or null");
    };
    Header s = Header.read(r, "storage header");
    if (s.dims() != h.dims() || s.size() != h.size() || s.metricType() != expectedMetric
        || s.metricType() != h.metricType()) {
      throw r.fail("storage header", tag + " storage of " + s.size() + " x " + s.dims() + " (metric "
          + s.metricType() + ") under an index of " + h.size() + " x " + h.dims() + " (metric "
          + h.metricType() + ")");
    }
    MemorySegment codes = r.vector("storage codes", Float.BYTES);
    if (codes.byteSize() != (long) h.size() * h.dims() * Float.BYTES) {
      throw r.fail("storage codes", "holds " + codes.byteSize() / Float.BYTES + " floats, expected "
          + h.size() + " x " + h.dims());
    }
    return new SegmentVectors(codes, h.dims(), h.size());
  }

  private static Metric metric(FaissReader r, int faissMetric, Metric declared) throws IndexFormatException {
    Metric stored = faissMetric == FAISS_L2 ? Metric.L2 : Metric.INNER_PRODUCT;
    if (declared == Metric.L2 ? stored != Metric.L2 : stored == Metric.L2) {
      throw r.fail("metric_type", "the file stores " + stored.leannName() + " but the meta declares "
          + declared.leannName());
    }
    return declared;
  }

  /** FAISS's {@code write_index_header}. */
  private record Header(int dims, int size, int metricType) {
    static Header read(FaissReader r, String what) throws IndexFormatException {
      int d = r.i32(what + " d");
      long ntotal = r.i64(what + " ntotal");
      r.i64(what + " dummy");
      r.i64(what + " dummy");
      int trained = r.u8(what + " is_trained");
      int metricType = r.i32(what + " metric_type");
      if (metricType > 1) {
        r.f32(what + " metric_arg");
      }
      if (d <= 0 || d > 1 << 16) {
        throw r.fail(what + " d", d + " dimensions");
      }
      if (ntotal < 0 || ntotal > Integer.MAX_VALUE - 8) {
        throw r.fail(what + " ntotal", ntotal + " vectors");
      }
      if (trained > 1) {
        throw r.fail(what + " is_trained", "is " + trained + ", expected 0 or 1");
      }
      if (metricType != FAISS_IP && metricType != FAISS_L2) {
        throw r.fail(what + " metric_type", metricType + " (only 0 = inner product and 1 = L2 are searched)");
      }
      return new Header(d, (int) ntotal, metricType);
    }
  }

  /** The five int fields after the links: entry point, max level and three search settings. */
  private record Scalars(int entryPoint, int maxLevel) {
    static Scalars read(FaissReader r) throws IndexFormatException {
      int entry = r.i32("entry_point");
      int maxLevel = r.i32("max_level");
      r.i32("efConstruction");
      r.i32("efSearch");
      r.i32("upper_beam");
      return new Scalars(entry, maxLevel);
    }
  }

  /** The graph, read in place. */
  @Override
  public HnswGraph graph() {
    return graph;
  }

  /** Whether the graph is in LEANN's compact CSR layout (otherwise FAISS's padded one). */
  public boolean compact() {
    return graph.compact();
  }

  /** The stored vectors, or null for a pruned index. */
  @Override
  public VectorValues vectors() {
    return vectors;
  }

  @Override
  public Metric metric() {
    return metric;
  }

  @Override
  public int dims() {
    return dims;
  }

  @Override
  public int size() {
    return graph.size();
  }

  @Override
  public void close() {
    arena.close();
  }
}
