package io.leann.coordinator.build;

import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.vector.ArrayVectors;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Embeddings of a build streamed to a file of little-endian float32 rows, so a build holds one
 * batch of vectors in memory, not the corpus. After {@link #finish()} the file is mapped and
 * slices of rows are copied out per graph shard. Not thread-safe: one build thread appends.
 *
 * <p>The file stays bare float32 rows (shard nodes map row ranges of it); its checksum goes to a
 * sidecar, {@code <file>.crc} ({@value #CHECKSUM_SUFFIX}): one line {@code crc32c <hex> rows <n>
 * dims <d>}, written after the rows are durable. A build that keeps an embedding copy
 * ({@code --keep-embeddings}) leaves the file as the embedding cache of the next incremental one,
 * which reuses it only through {@link #mapVerified}; otherwise the build {@link #discard}s it.
 */
public final class EmbeddingSpool implements AutoCloseable {
  /** Appended to the spool file's name for its checksum sidecar. */
  public static final String CHECKSUM_SUFFIX = ".crc";
  private final Path file;
  private final int dims;
  private final CRC32C crc = new CRC32C();
  private final OutputStream out;
  private final ByteBuffer row;
  private long rows;
  private Arena arena;
  private MemorySegment mapped;

  public EmbeddingSpool(Path file, int dims) throws IOException {
    this.file = file;
    this.dims = dims;
    Files.deleteIfExists(checksumFile(file));
    this.out = new CheckedOutputStream(new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 20), crc);
    this.row = ByteBuffer.allocate(dims * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Appends one vector; its dimensions must match. */
  public void append(float[] vector) throws IOException {
    if (vector.length != dims) {
      throw new IllegalArgumentException("embedding has " + vector.length + " dimensions, expected " + dims);
    }
    row.clear();
    row.asFloatBuffer().put(vector);
    out.write(row.array());
    rows++;
  }

  /** Appends {@code count} rows copied from another spool file's mapping (an incremental build's reuse). */
  public void appendFrom(MemorySegment source, long firstRow, long count) throws IOException {
    long bytes = (long) dims * Float.BYTES;
    byte[] buffer = new byte[(int) bytes];
    for (long r = firstRow; r < firstRow + count; r++) {
      MemorySegment.copy(source, LittleEndian.BYTE, r * bytes, buffer, 0, buffer.length);
      out.write(buffer);
    }
    rows += count;
  }

  public long rows() {
    return rows;
  }

  public int dims() {
    return dims;
  }

  public Path file() {
    return file;
  }

  /** Flushes, fsyncs, writes the checksum sidecar and maps the file for reading. */
  public void finish() throws IOException {
    out.close();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.force(true);
      arena = Arena.ofShared();
      mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    }
    AtomicFiles.write(checksumFile(file), String.format("crc32c %08x rows %d dims %d%n", crc.getValue(), rows, dims)
        .getBytes(StandardCharsets.US_ASCII));
  }

  /** The mapped rows, after {@link #finish()}. */
  public MemorySegment segment() {
    if (mapped == null) {
      throw new IllegalStateException("spool not finished");
    }
    return mapped;
  }

  /** Rows {@code [from, to)} copied onto the heap for a graph build. */
  public ArrayVectors slice(long from, long to) {
    long count = to - from;
    if ((long) count * dims > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(count + " x " + dims + " floats do not fit one shard; use more shards");
    }
    float[] data = new float[(int) (count * dims)];
    MemorySegment.copy(segment(), LittleEndian.FLOAT, from * dims * Float.BYTES, data, 0, data.length);
    return new ArrayVectors(data, dims);
  }

  /**
   * Maps the spool file of a previous build read-only, for reuse, once it is shown intact: its
   * sidecar names {@code rows} rows of {@code dims} floats and the file's CRC32C, the file matches
   * both, and every value is finite.
   *
   * @throws IndexFormatException naming the file and what is wrong; the caller embeds again instead
   */
  public static MemorySegment mapVerified(Path file, long rows, int dims, Arena arena) throws IOException {
    Path sidecar = checksumFile(file);
    String recorded;
    try {
      recorded = Files.readString(sidecar, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      throw new IndexFormatException(sidecar, "is missing: the embedding cache cannot be verified");
    }
    MemorySegment segment;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      segment = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (NoSuchFileException e) {
      throw new IndexFormatException(file, "is missing");
    }
    long bytes = rows * dims * Float.BYTES;
    if (segment.byteSize() != bytes) {
      throw new IndexFormatException(file, "has " + segment.byteSize() + " bytes, " + rows + " rows of " + dims
          + " floats take " + bytes);
    }
    CRC32C crc = new CRC32C();
    for (long at = 0; at < bytes; at += 1 << 30) {
      crc.update(segment.asSlice(at, Math.min(1 << 30, bytes - at)).asByteBuffer());
    }
    String expected = String.format("crc32c %08x rows %d dims %d", crc.getValue(), rows, dims);
    if (!expected.equals(recorded)) {
      throw new IndexFormatException(file, "does not match its checksum (" + sidecar.getFileName() + " says '"
          + recorded + "', the file gives '" + expected + "')");
    }
    for (long i = 0; i < rows * dims; i++) {
      if (!Float.isFinite(segment.getAtIndex(LittleEndian.FLOAT, i))) {
        throw new IndexFormatException(file, "row " + i / dims + " holds a NaN or infinite value");
      }
    }
    return segment;
  }

  /** The checksum sidecar of spool file {@code file}. */
  public static Path checksumFile(Path file) {
    return file.resolveSibling(file.getFileName() + CHECKSUM_SUFFIX);
  }

  /** Closes the spool and deletes its file and sidecar: a build that keeps no embedding copy. */
  public void discard() throws IOException {
    close();
    Files.deleteIfExists(file);
    Files.deleteIfExists(checksumFile(file));
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (arena != null) {
      arena.close();
      arena = null;
      mapped = null;
    }
  }
}
