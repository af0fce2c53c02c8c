package io.leann.shard.faiss;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.hnsw.HnswGraph;
import java.lang.foreign.MemorySegment;

/**
 * The HNSW graph of a FAISS {@code IHNf} file read in place, in either of the Python LEANN's
 * layouts:
 * <ul>
 *   <li>padded (FAISS's own, the fork's non-compact layout): node {@code i} owns the slots
 *       {@code offsets[i] .. offsets[i+1]}; its level-{@code l} neighbours are the slots
 *       {@code cum[l] .. cum[l+1]} of that range, up to the first -1;
 *   <li>compact CSR (LEANN's {@code convert_to_csr.py}): node {@code i} owns the pointers
 *       {@code level_ptr[node_offsets[i] .. node_offsets[i] + levels[i]]}; its level-{@code l}
 *       neighbours are {@code data[level_ptr[node_offsets[i]+l] .. level_ptr[node_offsets[i]+l+1])}.
 * </ul>
 * FAISS's {@code levels[i]} is the node's level plus one.
 *
 * <p>Invariants, all checked by the factories before the graph is used: every range lies inside its
 * array, every neighbour id is a node, no node has more neighbours on a level than
 * {@link #maxDegree} allows, levels fit the per-level table and the entry point is a node on the
 * top level. So {@link #neighbors} needs no checks of its own. Immutable; safe for concurrent
 * searches while the mapping is alive.
 */
final class FaissGraph implements HnswGraph {
  private final int size;
  private final int entryPoint;
  private final int maxLevel;
  private final int m0;
  private final int m;
  private final boolean compact;
  private final MemorySegment levels;
  private final MemorySegment cum;
  private final MemorySegment offsets;
  private final MemorySegment neighbors;
  private final MemorySegment levelPtr;
  private final MemorySegment nodeOffsets;

  private FaissGraph(int size, int entryPoint, int maxLevel, int m0, int m, boolean compact,
      MemorySegment levels, MemorySegment cum, MemorySegment offsets, MemorySegment neighbors,
      MemorySegment levelPtr, MemorySegment nodeOffsets) {
    this.size = size;
    this.entryPoint = entryPoint;
    this.maxLevel = maxLevel;
    this.m0 = m0;
    this.m = m;
    this.compact = compact;
    this.levels = levels;
    this.cum = cum;
    this.offsets = offsets;
    this.neighbors = neighbors;
    this.levelPtr = levelPtr;
    this.nodeOffsets = nodeOffsets;
  }

  /** The parts every layout shares, validated against each other. */
  record Common(int size, MemorySegment cum, MemorySegment levels, int entryPoint, int maxLevel,
      int m0, int m) {

    static Common validate(FaissReader r, int size, MemorySegment cum, MemorySegment levels,
        int entryPoint, int maxLevel) throws IndexFormatException {
      long tableLevels = cum.byteSize() / Integer.BYTES - 1;
      if (tableLevels < 1) {
        throw r.fail("cum_nneighbor_per_level", "has " + (tableLevels + 1) + " entries, at least 2 needed");
      }
      if (cum.getAtIndex(LittleEndian.INT, 0) != 0) {
        throw r.fail("cum_nneighbor_per_level", "does not start at 0");
      }
      int m0 = 0;
      int m = 0;
      for (long l = 0; l < tableLevels; l++) {
        int width = cum.getAtIndex(LittleEndian.INT, l + 1) - cum.getAtIndex(LittleEndian.INT, l);
        if (width < 0 || width > 1 << 16) {
          throw r.fail("cum_nneighbor_per_level", "level " + l + " has " + width + " neighbour slots");
        }
        if (l == 0) {
          m0 = width;
        } else {
          m = Math.max(m, width);
        }
      }
      if (m0 < 1) {
        throw r.fail("cum_nneighbor_per_level", "level 0 has no neighbour slots");
      }
      if (levels.byteSize() != (long) size * Integer.BYTES) {
        throw r.fail("levels", "has " + levels.byteSize() / Integer.BYTES + " entries for " + size + " nodes");
      }
      int top = -1;
      for (long i = 0; i < size; i++) {
        int l = levels.getAtIndex(LittleEndian.INT, i);
        if (l < 1 || l > tableLevels) {
          throw r.fail("levels", "node " + i + " has " + l + " levels; 1 to " + tableLevels
              + " fit cum_nneighbor_per_level");
        }
        top = Math.max(top, l - 1);
      }
      if (size == 0) {
        if (entryPoint != -1) {
          throw r.fail("entry_point", entryPoint + " in an empty graph");
        }
        return new Common(0, cum, levels, -1, -1, m0, Math.max(m, 1));
      }
      if (maxLevel != top) {
        throw r.fail("max_level", maxLevel + " but the highest node level is " + top);
      }
      if (entryPoint < 0 || entryPoint >= size) {
        throw r.fail("entry_point", entryPoint + " is not a node (0.." + (size - 1) + ")");
      }
      if (levels.getAtIndex(LittleEndian.INT, entryPoint) - 1 != maxLevel) {
        throw r.fail("entry_point", "node " + entryPoint + " is not on the top level " + maxLevel);
      }
      return new Common(size, cum, levels, entryPoint, maxLevel, m0, Math.max(m, 1));
    }
  }

  /** The padded layout: {@code offsets} (u64, size+1) into {@code neighbors} (i32, -1 padded). */
  static FaissGraph padded(FaissReader r, Common c, MemorySegment offsets, MemorySegment neighbors)
      throws IndexFormatException {
    if (offsets.byteSize() != (c.size() + 1L) * Long.BYTES) {
      throw r.fail("offsets", "has " + offsets.byteSize() / Long.BYTES + " entries, expected "
          + (c.size() + 1L));
    }
    long slots = neighbors.byteSize() / Integer.BYTES;
    long expected = 0;
    for (long i = 0; i < c.size(); i++) {
      if (offsets.getAtIndex(LittleEndian.LONG, i) != expected) {
        throw r.fail("offsets", "entry " + i + " is " + offsets.getAtIndex(LittleEndian.LONG, i)
            + ", expected " + expected + " from the levels before it");
      }
      expected += c.cum().getAtIndex(LittleEndian.INT, c.levels().getAtIndex(LittleEndian.INT, i));
    }
    if (offsets.getAtIndex(LittleEndian.LONG, c.size()) != expected || expected != slots) {
      throw r.fail("offsets", "end at " + offsets.getAtIndex(LittleEndian.LONG, c.size()) + " but there are "
          + slots + " neighbour slots (" + expected + " expected from the levels)");
    }
    for (long s = 0; s < slots; s++) {
      int v = neighbors.getAtIndex(LittleEndian.INT, s);
      if (v < -1 || v >= c.size()) {
        throw r.fail("neighbors", "slot " + s + " holds " + v + ", not a node id or -1");
      }
    }
    return new FaissGraph(c.size(), c.entryPoint(), c.maxLevel(), c.m0(), c.m(), false, c.levels(),
        c.cum(), offsets, neighbors, null, null);
  }

  /** The compact CSR layout of {@code convert_to_csr.py}. */
  static FaissGraph compact(FaissReader r, Common c, MemorySegment levelPtr, MemorySegment nodeOffsets,
      MemorySegment data) throws IndexFormatException {
    long pointers = levelPtr.byteSize() / Long.BYTES;
    long edges = data.byteSize() / Integer.BYTES;
    if (nodeOffsets.byteSize() != (c.size() + 1L) * Long.BYTES) {
      throw r.fail("compact_node_offsets", "has " + nodeOffsets.byteSize() / Long.BYTES
          + " entries, expected " + (c.size() + 1L));
    }
    long expected = 0;
    for (long i = 0; i < c.size(); i++) {
      long at = nodeOffsets.getAtIndex(LittleEndian.LONG, i);
      int nodeLevels = c.levels().getAtIndex(LittleEndian.INT, i);
      if (at != expected) {
        throw r.fail("compact_node_offsets", "entry " + i + " is " + at + ", expected " + expected
            + " from the levels before it");
      }
      expected = at + nodeLevels + 1;
      if (expected > pointers) {
        throw r.fail("compact_node_offsets", "node " + i + " needs level pointers up to " + expected
            + " but compact_level_ptr has " + pointers);
      }
      for (int l = 0; l < nodeLevels; l++) {
        long start = levelPtr.getAtIndex(LittleEndian.LONG, at + l);
        long end = levelPtr.getAtIndex(LittleEndian.LONG, at + l + 1);
        if (start < 0 || end < start || end > edges) {
          throw r.fail("compact_level_ptr", "node " + i + " level " + l + " spans [" + start + ", " + end
              + ") of " + edges + " neighbours");
        }
        int limit = l == 0 ? c.m0() : c.m();
        if (end - start > limit) {
          throw r.fail("compact_level_ptr", "node " + i + " has " + (end - start) + " neighbours on level "
              + l + ", more than the " + limit + " the graph allows");
        }
      }
    }
    if (nodeOffsets.getAtIndex(LittleEndian.LONG, c.size()) != expected || expected != pointers) {
      throw r.fail("compact_node_offsets", "end at " + nodeOffsets.getAtIndex(LittleEndian.LONG, c.size())
          + " but compact_level_ptr has " + pointers + " entries (" + expected + " expected)");
    }
    for (long e = 0; e < edges; e++) {
      int v = data.getAtIndex(LittleEndian.INT, e);
      if (v < 0 || v >= c.size()) {
        throw r.fail("compact_neighbors_data", "entry " + e + " holds " + v + ", not a node id");
      }
    }
    return new FaissGraph(c.size(), c.entryPoint(), c.maxLevel(), c.m0(), c.m(), true, c.levels(),
        c.cum(), null, data, levelPtr, nodeOffsets);
  }

  boolean compact() {
    return compact;
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
    return levels.getAtIndex(LittleEndian.INT, node) - 1;
  }

  @Override
  public int maxDegree(int level) {
    return level == 0 ? m0 : m;
  }

  @Override
  public int neighbors(int level, int node, int[] dst) {
    if (level > level(node)) {
      return 0;
    }
    if (compact) {
      long at = nodeOffsets.getAtIndex(LittleEndian.LONG, node) + level;
      long start = levelPtr.getAtIndex(LittleEndian.LONG, at);
      int count = (int) (levelPtr.getAtIndex(LittleEndian.LONG, at + 1) - start);
      MemorySegment.copy(neighbors, LittleEndian.INT, start * Integer.BYTES, dst, 0, count);
      return count;
    }
    long base = offsets.getAtIndex(LittleEndian.LONG, node);
    long from = base + cum.getAtIndex(LittleEndian.INT, level);
    long to = base + cum.getAtIndex(LittleEndian.INT, level + 1);
    int count = 0;
    for (long s = from; s < to; s++) {
      int v = neighbors.getAtIndex(LittleEndian.INT, s);
      if (v < 0) {
        break; // FAISS pads with -1 and stops at the first one
      }
      dst[count++] = v;
    }
    return count;
  }
}
