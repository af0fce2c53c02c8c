package io.leann.protocol.index;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.Map;

/**
 * Writes a graph file (layout in {@link GraphFileFormat}) atomically: sections are streamed to a
 * temp file with their CRC32C, the header and section table are written last, then the file is
 * fsynced and renamed over the target. A crash at any point leaves the previous file untouched.
 */
public final class GraphFileWriter {
  private GraphFileWriter() {}

  /** Writes {@code sections} (each a little-endian byte image) under {@code header} to {@code target}. */
  public static void write(Path target, GraphHeader header, Map<GraphSection, MemorySegment> sections)
      throws IOException {
    AtomicFiles.write(target, temp -> {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        EnumMap<GraphSection, long[]> table = new EnumMap<>(GraphSection.class);
        long position = GraphFileFormat.dataStart(sections.size());
        for (Map.Entry<GraphSection, MemorySegment> e : new EnumMap<>(sections).entrySet()) {
          MemorySegment seg = e.getValue();
          if (seg.byteSize() > 0) {
            // empty sections stay where they are, so none points past the end of the file
            position = GraphFileFormat.align(position);
          }
          writeFully(ch, seg, position);
          table.put(e.getKey(), new long[] {position, seg.byteSize(), GraphFileFormat.crc32c(seg)});
          position += seg.byteSize();
        }
        ByteBuffer head = GraphFileFormat.encodeHeader(header, table);
        long headerPosition = 0;
        while (head.hasRemaining()) {
          headerPosition += ch.write(head, headerPosition);
        }
      }
    });
  }

  private static void writeFully(FileChannel ch, MemorySegment seg, long position) throws IOException {
    long written = 0;
    long size = seg.byteSize();
    while (written < size) {
      int chunk = (int) Math.min(size - written, 1 << 26);
      ByteBuffer buf = seg.asSlice(written, chunk).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining()) {
        written += ch.write(buf, position + written);
      }
    }
  }
}
