package io.leann.protocol.index;

import io.leann.protocol.Metric;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The graph file layout, version 1. All integers little-endian.
 *
 * <pre>
 *  0  magic        8 bytes "LEANNHNS"
 *  8  version      u32
 * 12  metric       u32 (Metric code)
 * 16  dims         u32
 * 20  flags        u32 (GraphHeader.COMPACT | PRUNED | HAS_VECTORS | PACKED)
 * 24  nodeCount    u64
 * 32  m            u32
 * 36  m0           u32
 * 40  entryPoint   i32
 * 44  maxLevel     i32
 * 48  sections     u32
 * 52  reserved     u32 (0)
 * 56  headerCrc    u32: CRC32C of bytes [0, 56) followed by the section table
 * 60  reserved     u32 (0)
 * 64  section table: per section {u32 id, u32 crc32c, u64 offset, u64 length, u64 reserved}
 *     section data, each starting on a 64-byte boundary
 * </pre>
 */
public final class GraphFileFormat {
  static final byte[] MAGIC = "LEANNHNS".getBytes(StandardCharsets.US_ASCII);
  public static final int VERSION = 1;
  static final int HEADER_BYTES = 64;
  static final int TABLE_ENTRY_BYTES = 32;
  static final int ALIGNMENT = 64;
  static final int CRC_OFFSET = 56;

  private GraphFileFormat() {}

  static long dataStart(int sectionCount) {
    return HEADER_BYTES + (long) sectionCount * TABLE_ENTRY_BYTES;
  }

  static long align(long position) {
    return (position + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /** CRC32C of a segment of any size (checksummed in chunks: one ByteBuffer view is limited to 2 GiB). */
  static int crc32c(MemorySegment seg) {
    CRC32C crc = new CRC32C();
    long size = seg.byteSize();
    for (long off = 0; off < size; off += 1 << 30) {
      crc.update(seg.asSlice(off, Math.min(1 << 30, size - off)).asByteBuffer());
    }
    return (int) crc.getValue();
  }

  /** Header plus section table; {@code table} maps a section to {offset, length, crc}. */
  static ByteBuffer encodeHeader(GraphHeader h, Map<GraphSection, long[]> table) {
    ByteBuffer b = ByteBuffer.allocate((int) dataStart(table.size())).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC);
    b.putInt(VERSION);
    b.putInt(h.metric().code());
    b.putInt(h.dims());
    b.putInt(h.flags());
    b.putLong(h.nodeCount());
    b.putInt(h.m());
    b.putInt(h.m0());
    b.putInt(h.entryPoint());
    b.putInt(h.maxLevel());
    b.putInt(table.size());
    b.putInt(0);
    b.putInt(0); // CRC placeholder, filled below
    b.putInt(0);
    for (Map.Entry<GraphSection, long[]> e : table.entrySet()) {
      long[] t = e.getValue();
      b.putInt(e.getKey().id());
      b.putInt((int) t[2]);
      b.putLong(t[0]);
      b.putLong(t[1]);
      b.putLong(0);
    }
    b.putInt(CRC_OFFSET, headerCrc(b));
    b.rewind();
    return b;
  }

  /** CRC32C of the header bytes before the CRC field and of the section table. */
  static int headerCrc(ByteBuffer headerAndTable) {
    CRC32C crc = new CRC32C();
    crc.update(headerAndTable.slice(0, CRC_OFFSET));
    crc.update(headerAndTable.slice(HEADER_BYTES, headerAndTable.limit() - HEADER_BYTES));
    return (int) crc.getValue();
  }

  static Metric metric(int code) {
    return Metric.fromCode(code);
  }
}
