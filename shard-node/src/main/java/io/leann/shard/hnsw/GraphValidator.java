package io.leann.shard.hnsw;

import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks the structure of graph sections read from a file, one linear pass per section, so that a
 * file which passed its checksums but was written wrongly (or crafted) is refused at load instead
 * of sending a search out of bounds or into wrong neighbours.
 */
final class GraphValidator {
  private final Path file;
  private final GraphHeader h;
  private final Map<GraphSection, MemorySegment> s;

  GraphValidator(Path file, GraphHeader header, Map<GraphSection, MemorySegment> sections) {
    this.file = file;
    this.h = header;
    this.s = sections;
  }

  void validate() throws IndexFormatException {
    int n = h.nodeCount();
    MemorySegment levels = s.get(GraphSection.LEVELS);
    expectSize(GraphSection.LEVELS, n);
    if (n == 0) {
      if (h.entryPoint() != -1 || h.maxLevel() != -1) {
        fail("empty graph with entry point " + h.entryPoint());
      }
    } else if (h.entryPoint() < 0 || h.entryPoint() >= n || h.maxLevel() < 0
        || levels.get(LittleEndian.BYTE, h.entryPoint()) != h.maxLevel()) {
      fail("entry point " + h.entryPoint() + " at level " + h.maxLevel() + " is inconsistent");
    }
    int upper = 0;
    long upperEntries = 0;
    for (int node = 0; node < n; node++) {
      int level = levels.get(LittleEndian.BYTE, node);
      if (level < 0 || level > h.maxLevel()) {
        fail("node " + node + " has level " + level + " above max level " + h.maxLevel());
      }
      if (level > 0) {
        upper++;
        upperEntries += level;
      }
    }
    validateLevel0(n);
    validateUpper(n, upper, upperEntries, levels);
  }

  private void validateLevel0(int n) throws IndexFormatException {
    if (h.packed()) {
      validatePacked(n);
      return;
    }
    MemorySegment data = s.get(GraphSection.LEVEL0_NEIGHBORS);
    if (h.compact()) {
      MemorySegment offsets = s.get(GraphSection.LEVEL0_OFFSETS);
      expectSize(GraphSection.LEVEL0_OFFSETS, (n + 1L) * Long.BYTES);
      checkCsr(GraphSection.LEVEL0_OFFSETS, offsets, n + 1L, data, h.m0());
      checkIds(GraphSection.LEVEL0_NEIGHBORS, data, 0, data.byteSize() / Integer.BYTES, n);
    } else {
      long stride = h.m0() + 1L;
      expectSize(GraphSection.LEVEL0_NEIGHBORS, n * stride * Integer.BYTES);
      for (long node = 0; node < n; node++) {
        int count = data.getAtIndex(LittleEndian.INT, node * stride);
        if (count < 0 || count > h.m0()) {
          fail("node " + node + " claims " + count + " level-0 neighbours (cap " + h.m0() + ")");
        }
        checkIds(GraphSection.LEVEL0_NEIGHBORS, data, node * stride + 1, count, n);
      }
    }
  }

  /**
   * Decodes every packed list once: offsets rise within the data, varints end within their list and
   * fit 31 bits, ids ascend strictly below {@code n}, and no list exceeds {@code m0}.
   */
  private void validatePacked(int n) throws IndexFormatException {
    MemorySegment offsets = s.get(GraphSection.LEVEL0_PACKED_OFFSETS);
    MemorySegment data = s.get(GraphSection.LEVEL0_PACKED);
    expectSize(GraphSection.LEVEL0_PACKED_OFFSETS, (n + 1L) * Integer.BYTES);
    long start = Integer.toUnsignedLong(offsets.getAtIndex(LittleEndian.INT, 0));
    if (start != 0) {
      fail(GraphSection.LEVEL0_PACKED_OFFSETS + " does not start at 0");
    }
    for (int node = 0; node < n; node++) {
      long end = Integer.toUnsignedLong(offsets.getAtIndex(LittleEndian.INT, node + 1L));
      if (end < start || end > data.byteSize()) {
        fail(GraphSection.LEVEL0_PACKED_OFFSETS + " is corrupt at node " + node);
      }
      long p = start;
      int count = 0;
      long id = -1;
      while (p < end) {
        long value = 0;
        int shift = 0;
        byte b;
        do {
          if (p >= end || shift > 28) {
            fail("level-0 list of node " + node + " holds a varint that is cut off or too long");
          }
          b = data.get(LittleEndian.BYTE, p++);
          value |= (long) (b & 0x7F) << shift;
          shift += 7;
        } while (b < 0);
        long next = count == 0 ? value : id + value;
        if ((count > 0 && value == 0) || next >= n) {
          fail("level-0 list of node " + node + " holds neighbour " + next
              + (next >= n ? " outside [0, " + n + ")" : " twice"));
        }
        id = next;
        if (++count > h.m0()) {
          fail("node " + node + " has more than " + h.m0() + " level-0 neighbours");
        }
      }
      start = end;
    }
    if (start != data.byteSize()) {
      fail(GraphSection.LEVEL0_PACKED + " has " + data.byteSize() + " bytes but its lists end at " + start);
    }
  }

  private void validateUpper(int n, int upper, long upperEntries, MemorySegment levels)
      throws IndexFormatException {
    MemorySegment nodes = s.get(GraphSection.UPPER_NODES);
    MemorySegment base = s.get(GraphSection.UPPER_BASE);
    expectSize(GraphSection.UPPER_NODES, (long) upper * Integer.BYTES);
    expectSize(GraphSection.UPPER_BASE, (long) upper * Integer.BYTES);
    expectSize(GraphSection.UPPER_OFFSETS, (upperEntries + 1) * Long.BYTES);
    long running = 0;
    int previous = -1;
    for (int j = 0; j < upper; j++) {
      int node = nodes.getAtIndex(LittleEndian.INT, j);
      if (node <= previous || node >= n || levels.get(LittleEndian.BYTE, node) < 1) {
        fail("upper-level node table is corrupt at entry " + j);
      }
      if (base.getAtIndex(LittleEndian.INT, j) != running) {
        fail("upper-level base table is corrupt at entry " + j);
      }
      running += levels.get(LittleEndian.BYTE, node);
      previous = node;
    }
    MemorySegment data = s.get(GraphSection.UPPER_NEIGHBORS);
    checkCsr(GraphSection.UPPER_OFFSETS, s.get(GraphSection.UPPER_OFFSETS), upperEntries + 1, data, h.m());
    checkIds(GraphSection.UPPER_NEIGHBORS, data, 0, data.byteSize() / Integer.BYTES, n);
  }

  private void checkCsr(GraphSection section, MemorySegment offsets, long count, MemorySegment data,
      int cap) throws IndexFormatException {
    long previous = 0;
    for (long i = 0; i < count; i++) {
      long o = offsets.getAtIndex(LittleEndian.LONG, i);
      if (i == 0 ? o != 0 : (o < previous || o - previous > cap)) {
        fail(section + " is corrupt at entry " + i);
      }
      previous = o;
    }
    if (previous * Integer.BYTES != data.byteSize()) {
      fail(section + " ends at " + previous + " ids but the neighbour section holds "
          + data.byteSize() / Integer.BYTES);
    }
  }

  private void checkIds(GraphSection section, MemorySegment data, long from, long count, int n)
      throws IndexFormatException {
    for (long i = from; i < from + count; i++) {
      int id = data.getAtIndex(LittleEndian.INT, i);
      if (id < 0 || id >= n) {
        fail(section + " holds neighbour id " + id + " outside [0, " + n + ")");
      }
    }
  }

  private void expectSize(GraphSection section, long bytes) throws IndexFormatException {
    long actual = s.get(section).byteSize();
    if (actual != bytes) {
      fail("section " + section + " has " + actual + " bytes, expected " + bytes);
    }
  }

  private void fail(String problem) throws IndexFormatException {
    throw new IndexFormatException(file, problem);
  }
}
