package io.leann.shard.hnsw;

import io.leann.protocol.index.GraphFile;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable HNSW graph in the sections of the graph file format, read in place: from a mapped
 * file, or from native memory right after a build. Level 0 is CSR without padding (compact),
 * CSR of delta-encoded varint lists (packed: about half the bytes, decoded on the fly, for indexes
 * without vectors where every byte counts and a recompute dwarfs the decoding), or fixed
 * {@code m0 + 1}-int slots holding a count and the ids (padded, the layout that allows in-place
 * updates); upper levels, which hold about {@code 1/M} of the nodes, are always CSR and
 * are found by binary search over their node ids.
 *
 * <p>Invariants (checked by {@link #fromFile}): offsets are non-decreasing and within their
 * neighbour section, every neighbour id is a valid node, levels do not exceed the max level.
 * Immutable and safe for concurrent searches while the backing memory is alive.
 */
public final class CompactGraph implements HnswGraph {
  private final int size;
  private final int m;
  private final int m0;
  private final int entryPoint;
  private final int maxLevel;
  private final boolean compact;
  private final boolean packed;
  private final MemorySegment levels;
  private final MemorySegment level0PackedOffsets;
  private final MemorySegment level0Packed;
  private final MemorySegment level0Offsets;
  private final MemorySegment level0Neighbors;
  private final MemorySegment upperNodes;
  private final MemorySegment upperBase;
  private final MemorySegment upperOffsets;
  private final MemorySegment upperNeighbors;
  private final int upperCount;

  private CompactGraph(int size, int m, int m0, int entryPoint, int maxLevel, boolean compact,
      boolean packed, Map<GraphSection, MemorySegment> s) {
    this.size = size;
    this.m = m;
    this.m0 = m0;
    this.entryPoint = entryPoint;
    this.maxLevel = maxLevel;
    this.compact = compact;
    this.packed = packed;
    this.levels = s.get(GraphSection.LEVELS);
    this.level0PackedOffsets = s.get(GraphSection.LEVEL0_PACKED_OFFSETS);
    this.level0Packed = s.get(GraphSection.LEVEL0_PACKED);
    this.level0Offsets = s.get(GraphSection.LEVEL0_OFFSETS);
    this.level0Neighbors = s.get(GraphSection.LEVEL0_NEIGHBORS);
    this.upperNodes = s.get(GraphSection.UPPER_NODES);
    this.upperBase = s.get(GraphSection.UPPER_BASE);
    this.upperOffsets = s.get(GraphSection.UPPER_OFFSETS);
    this.upperNeighbors = s.get(GraphSection.UPPER_NEIGHBORS);
    this.upperCount = (int) (upperNodes.byteSize() / Integer.BYTES);
  }

  /**
   * Freezes {@code graph} into the file layout in native memory owned by {@code arena}.
   *
   * @param compact CSR level 0 without padding; otherwise fixed padded slots
   */
  public static CompactGraph of(HnswGraph graph, boolean compact, Arena arena) {
    return of(graph, compact, false, arena);
  }

  /**
   * Like {@link #of(HnswGraph, boolean, Arena)}; with {@code packed} (and {@code compact}) level 0
   * is stored as delta-encoded varint lists, unless they could pass 2 GiB, where plain CSR is kept.
   */
  public static CompactGraph of(HnswGraph graph, boolean compact, boolean packed, Arena arena) {
    int n = graph.size();
    int m = graph.maxDegree(1);
    int m0 = graph.maxDegree(0);
    int[] scratch = new int[Math.max(m, m0)];
    MemorySegment levels = arena.allocate(Math.max(1, n)).asSlice(0, n);
    long level0Edges = 0;
    int upper = 0;
    long upperEntries = 0;
    long upperEdges = 0;
    for (int node = 0; node < n; node++) {
      int level = graph.level(node);
      levels.set(LittleEndian.BYTE, node, (byte) level);
      level0Edges += graph.neighbors(0, node, scratch);
      if (level > 0) {
        upper++;
        upperEntries += level;
        for (int l = 1; l <= level; l++) {
          upperEdges += graph.neighbors(l, node, scratch);
        }
      }
    }
    Map<GraphSection, MemorySegment> s = new EnumMap<>(GraphSection.class);
    s.put(GraphSection.LEVELS, levels);
    MemorySegment l0n = null;
    boolean packedLevel0 = compact && packed
        && level0Edges * 5 < Integer.MAX_VALUE - 8;
    if (packedLevel0) {
      byte[] bytes = new byte[(int) (level0Edges * 5)];
      MemorySegment l0o = arena.allocate((n + 1L) * Integer.BYTES);
      int pos = 0;
      for (int node = 0; node < n; node++) {
        l0o.setAtIndex(LittleEndian.INT, node, pos);
        int c = graph.neighbors(0, node, scratch);
        Arrays.sort(scratch, 0, c);
        int previous = 0;
        for (int i = 0; i < c; i++) {
          pos = writeVarint(bytes, pos, i == 0 ? scratch[i] : scratch[i] - previous);
          previous = scratch[i];
        }
      }
      l0o.setAtIndex(LittleEndian.INT, n, pos);
      MemorySegment data = arena.allocate(Math.max(1, pos)).asSlice(0, pos);
      MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, pos);
      s.put(GraphSection.LEVEL0_PACKED_OFFSETS, l0o);
      s.put(GraphSection.LEVEL0_PACKED, data);
    } else if (compact) {
      MemorySegment l0o = arena.allocate((n + 1L) * Long.BYTES);
      l0n = arena.allocate(level0Edges * Integer.BYTES);
      long pos = 0;
      for (int node = 0; node < n; node++) {
        l0o.setAtIndex(LittleEndian.LONG, node, pos);
        int c = graph.neighbors(0, node, scratch);
        MemorySegment.copy(scratch, 0, l0n, LittleEndian.INT, pos * Integer.BYTES, c);
        pos += c;
      }
      l0o.setAtIndex(LittleEndian.LONG, n, pos);
      s.put(GraphSection.LEVEL0_OFFSETS, l0o);
    } else {
      l0n = arena.allocate((long) n * (m0 + 1) * Integer.BYTES);
      for (int node = 0; node < n; node++) {
        long base = (long) node * (m0 + 1);
        int c = graph.neighbors(0, node, scratch);
        l0n.setAtIndex(LittleEndian.INT, base, c);
        MemorySegment.copy(scratch, 0, l0n, LittleEndian.INT, (base + 1) * Integer.BYTES, c);
        for (int i = c; i < m0; i++) {
          l0n.setAtIndex(LittleEndian.INT, base + 1 + i, -1);
        }
      }
    }
    if (l0n != null) {
      s.put(GraphSection.LEVEL0_NEIGHBORS, l0n);
    }
    MemorySegment un = arena.allocate(upper * (long) Integer.BYTES);
    MemorySegment ub = arena.allocate(upper * (long) Integer.BYTES);
    MemorySegment uo = arena.allocate((upperEntries + 1) * Long.BYTES);
    MemorySegment ue = arena.allocate(upperEdges * Integer.BYTES);
    int j = 0;
    long entryIndex = 0;
    long pos = 0;
    for (int node = 0; node < n; node++) {
      int level = graph.level(node);
      if (level == 0) {
        continue;
      }
      un.setAtIndex(LittleEndian.INT, j, node);
      ub.setAtIndex(LittleEndian.INT, j, (int) entryIndex);
      for (int l = 1; l <= level; l++) {
        uo.setAtIndex(LittleEndian.LONG, entryIndex++, pos);
        int c = graph.neighbors(l, node, scratch);
        MemorySegment.copy(scratch, 0, ue, LittleEndian.INT, pos * Integer.BYTES, c);
        pos += c;
      }
      j++;
    }
    uo.setAtIndex(LittleEndian.LONG, entryIndex, pos);
    s.put(GraphSection.UPPER_NODES, un);
    s.put(GraphSection.UPPER_BASE, ub);
    s.put(GraphSection.UPPER_OFFSETS, uo);
    s.put(GraphSection.UPPER_NEIGHBORS, ue);
    return new CompactGraph(n, m, m0, graph.entryPoint(), graph.maxLevel(), compact, packedLevel0, s);
  }

  private static int writeVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      out[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
  }

  /** Interprets and validates the graph sections of a mapped file. */
  public static CompactGraph fromFile(GraphFile file) throws IndexFormatException {
    GraphHeader h = file.header();
    Map<GraphSection, MemorySegment> s = new EnumMap<>(GraphSection.class);
    for (GraphSection section : new GraphSection[] {GraphSection.LEVELS, GraphSection.UPPER_NODES,
        GraphSection.UPPER_BASE, GraphSection.UPPER_OFFSETS, GraphSection.UPPER_NEIGHBORS}) {
      s.put(section, file.requireSection(section));
    }
    if (h.packed() && !h.compact()) {
      throw new IndexFormatException(file.path(), "a packed level 0 must also be flagged compact");
    }
    if (h.packed()) {
      s.put(GraphSection.LEVEL0_PACKED_OFFSETS, file.requireSection(GraphSection.LEVEL0_PACKED_OFFSETS));
      s.put(GraphSection.LEVEL0_PACKED, file.requireSection(GraphSection.LEVEL0_PACKED));
    } else {
      s.put(GraphSection.LEVEL0_NEIGHBORS, file.requireSection(GraphSection.LEVEL0_NEIGHBORS));
      if (h.compact()) {
        s.put(GraphSection.LEVEL0_OFFSETS, file.requireSection(GraphSection.LEVEL0_OFFSETS));
      }
    }
    new GraphValidator(file.path(), h, s).validate();
    return new CompactGraph(h.nodeCount(), h.m(), h.m0(), h.entryPoint(), h.maxLevel(), h.compact(),
        h.packed(), s);
  }

  /** The sections to write to a graph file. */
  public Map<GraphSection, MemorySegment> sections() {
    Map<GraphSection, MemorySegment> s = new EnumMap<>(GraphSection.class);
    s.put(GraphSection.LEVELS, levels);
    if (packed) {
      s.put(GraphSection.LEVEL0_PACKED_OFFSETS, level0PackedOffsets);
      s.put(GraphSection.LEVEL0_PACKED, level0Packed);
    } else {
      if (compact) {
        s.put(GraphSection.LEVEL0_OFFSETS, level0Offsets);
      }
      s.put(GraphSection.LEVEL0_NEIGHBORS, level0Neighbors);
    }
    s.put(GraphSection.UPPER_NODES, upperNodes);
    s.put(GraphSection.UPPER_BASE, upperBase);
    s.put(GraphSection.UPPER_OFFSETS, upperOffsets);
    s.put(GraphSection.UPPER_NEIGHBORS, upperNeighbors);
    return s;
  }

  public boolean compact() {
    return compact;
  }

  /** Whether level 0 is stored as delta-encoded varint lists. */
  public boolean packed() {
    return packed;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int entryPoint() {
    return entryPoint;
  }

  @Override
  public int maxLevel() {
    return maxLevel;
  }

  @Override
  public int level(int node) {
    return levels.get(LittleEndian.BYTE, node);
  }

  @Override
  public int maxDegree(int level) {
    return level == 0 ? m0 : m;
  }

  @Override
  public int neighbors(int level, int node, int[] dst) {
    long start;
    int count;
    MemorySegment data;
    if (level == 0 && packed) {
      return unpack(node, dst);
    }
    if (level == 0) {
      data = level0Neighbors;
      if (compact) {
        start = level0Offsets.getAtIndex(LittleEndian.LONG, node);
        count = (int) (level0Offsets.getAtIndex(LittleEndian.LONG, node + 1L) - start);
      } else {
        long base = (long) node * (m0 + 1);
        count = level0Neighbors.getAtIndex(LittleEndian.INT, base);
        start = base + 1;
      }
    } else {
      int j = upperIndex(node);
      if (j < 0) {
        return 0;
      }
      long entry = upperBase.getAtIndex(LittleEndian.INT, j) + (long) level - 1;
      data = upperNeighbors;
      start = upperOffsets.getAtIndex(LittleEndian.LONG, entry);
      count = (int) (upperOffsets.getAtIndex(LittleEndian.LONG, entry + 1) - start);
    }
    MemorySegment.copy(data, LittleEndian.INT, start * Integer.BYTES, dst, 0, count);
    return count;
  }

  /** Decodes a packed level-0 list; the validator has checked every list once at load. */
  private int unpack(int node, int[] dst) {
    long p = Integer.toUnsignedLong(level0PackedOffsets.getAtIndex(LittleEndian.INT, node));
    long end = Integer.toUnsignedLong(level0PackedOffsets.getAtIndex(LittleEndian.INT, node + 1L));
    int count = 0;
    int id = 0;
    while (p < end) {
      int value = 0;
      int shift = 0;
      byte b;
      do {
        b = level0Packed.get(LittleEndian.BYTE, p++);
        value |= (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0);
      id = count == 0 ? value : id + value;
      dst[count++] = id;
    }
    return count;
  }

  private int upperIndex(int node) {
    int lo = 0;
    int hi = upperCount - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int v = upperNodes.getAtIndex(LittleEndian.INT, mid);
      if (v < node) {
        lo = mid + 1;
      } else if (v > node) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** Directed links on level 0. */
  public long level0EdgeCount() {
    if (packed) {
      long total = 0;
      int[] scratch = new int[m0];
      for (int node = 0; node < size; node++) {
        total += unpack(node, scratch);
      }
      return total;
    }
    if (compact) {
      return level0Offsets.getAtIndex(LittleEndian.LONG, size);
    }
    long total = 0;
    for (int node = 0; node < size; node++) {
      total += level0Neighbors.getAtIndex(LittleEndian.INT, (long) node * (m0 + 1));
    }
    return total;
  }

  /** Bytes of all graph sections. */
  public long byteSize() {
    long total = 0;
    for (MemorySegment seg : sections().values()) {
      total += seg.byteSize();
    }
    return total;
  }
}
