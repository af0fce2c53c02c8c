package io.leann.protocol.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A graph file mapped into memory (FFM, so files past 2 GiB work). {@link #open} checks magic,
 * version, header checksum, that every section lies inside the file, and every section's CRC32C,
 * so a truncated, bit-flipped or foreign file fails here with a message naming the file, never
 * later with wrong neighbours. Section contents are interpreted by the engine.
 *
 * <p>The sections stay valid until {@link #close()}, which unmaps the file; closing while another
 * thread still reads a section makes that read fail with an exception, not a crash (shared arena).
 */
public final class GraphFile implements AutoCloseable {
  private final Path path;
  private final Arena arena;
  private final GraphHeader header;
  private final Map<GraphSection, MemorySegment> sections;

  private GraphFile(Path path, Arena arena, GraphHeader header, Map<GraphSection, MemorySegment> sections) {
    this.path = path;
    this.arena = arena;
    this.header = header;
    this.sections = sections;
  }

  /** Maps and verifies {@code path}. */
  public static GraphFile open(Path path) throws IOException {
    Arena arena = Arena.ofShared();
    try {
      MemorySegment file;
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        long size = ch.size();
        if (size < GraphFileFormat.HEADER_BYTES) {
          throw new IndexFormatException(path, "truncated: " + size + " bytes, shorter than the "
              + GraphFileFormat.HEADER_BYTES + "-byte header");
        }
        file = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      } catch (NoSuchFileException e) {
        throw new NoSuchFileException(path.toString(), null, "graph file not found");
      }
      return parse(path, arena, file);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static GraphFile parse(Path path, Arena arena, MemorySegment file) throws IOException {
    ByteBuffer head = file.asSlice(0, GraphFileFormat.HEADER_BYTES).asByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[GraphFileFormat.MAGIC.length];
    head.get(magic);
    if (!Arrays.equals(magic, GraphFileFormat.MAGIC)) {
      throw new IndexFormatException(path, "not a LEANN graph file (bad magic "
          + printable(magic) + ", expected LEANNHNS)");
    }
    int version = head.getInt();
    if (version != GraphFileFormat.VERSION) {
      throw new IndexFormatException(path, "unsupported graph format version " + version
          + " (this build reads version " + GraphFileFormat.VERSION + ")");
    }
    int metricCode = head.getInt();
    int dims = head.getInt();
    int flags = head.getInt();
    long nodeCount = head.getLong();
    int m = head.getInt();
    int m0 = head.getInt();
    int entryPoint = head.getInt();
    int maxLevel = head.getInt();
    int sectionCount = head.getInt();
    if (sectionCount < 0 || sectionCount > 64) {
      throw new IndexFormatException(path, "corrupt header: " + sectionCount + " sections");
    }
    long tableEnd = GraphFileFormat.dataStart(sectionCount);
    if (file.byteSize() < tableEnd) {
      throw new IndexFormatException(path, "truncated: section table ends at byte " + tableEnd
          + " but the file has " + file.byteSize());
    }
    ByteBuffer headAndTable = file.asSlice(0, tableEnd).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int storedCrc = headAndTable.getInt(GraphFileFormat.CRC_OFFSET);
    ByteBuffer crcView = ByteBuffer.allocate((int) tableEnd).order(ByteOrder.LITTLE_ENDIAN)
        .put(headAndTable.duplicate().rewind());
    if (GraphFileFormat.headerCrc(crcView.flip()) != storedCrc) {
      throw new IndexFormatException(path, "header checksum mismatch: the header or section table is corrupt");
    }
    if ((flags & ~GraphHeader.KNOWN_FLAGS) != 0) {
      throw new IndexFormatException(path, "unknown flags 0x" + Integer.toHexString(flags));
    }
    if (nodeCount < 0 || nodeCount > Integer.MAX_VALUE || dims <= 0 || m < 1 || m0 < 1) {
      throw new IndexFormatException(path, "corrupt header: nodes=" + nodeCount + " dims=" + dims
          + " M=" + m + " M0=" + m0);
    }
    GraphHeader header;
    try {
      header = new GraphHeader(GraphFileFormat.metric(metricCode), dims, (int) nodeCount, m, m0,
          entryPoint, maxLevel, flags);
    } catch (IllegalArgumentException e) {
      throw new IndexFormatException(path, "corrupt header: " + e.getMessage());
    }
    EnumMap<GraphSection, MemorySegment> sections = new EnumMap<>(GraphSection.class);
    headAndTable.position(GraphFileFormat.HEADER_BYTES);
    for (int i = 0; i < sectionCount; i++) {
      int id = headAndTable.getInt();
      int crc = headAndTable.getInt();
      long offset = headAndTable.getLong();
      long length = headAndTable.getLong();
      headAndTable.getLong();
      GraphSection section = GraphSection.fromId(id);
      if (section == null) {
        throw new IndexFormatException(path, "unknown section id " + id);
      }
      if (offset < tableEnd || length < 0 || offset > file.byteSize() - length) {
        throw new IndexFormatException(path, "truncated: section " + section + " needs bytes ["
            + offset + ", " + (offset + length) + ") but the file has " + file.byteSize());
      }
      MemorySegment seg = file.asSlice(offset, length);
      if (GraphFileFormat.crc32c(seg) != crc) {
        throw new IndexFormatException(path, "checksum mismatch in section " + section
            + ": the file is corrupt");
      }
      if (sections.put(section, seg) != null) {
        throw new IndexFormatException(path, "section " + section + " appears twice");
      }
    }
    return new GraphFile(path, arena, header, Collections.unmodifiableMap(sections));
  }

  private static String printable(byte[] bytes) {
    StringBuilder sb = new StringBuilder("0x");
    for (byte b : bytes) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  public Path path() {
    return path;
  }

  public GraphHeader header() {
    return header;
  }

  /** The section, or null if the file has none of that kind. */
  public MemorySegment section(GraphSection s) {
    return sections.get(s);
  }

  /** A section the format requires; fails with a message naming the file if it is absent. */
  public MemorySegment requireSection(GraphSection s) throws IndexFormatException {
    MemorySegment seg = sections.get(s);
    if (seg == null) {
      throw new IndexFormatException(path, "missing section " + s);
    }
    return seg;
  }

  @Override
  public void close() {
    arena.close();
  }
}
