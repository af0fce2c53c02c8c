package io.leann.coordinator.build;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Embeddings of a build streamed to a file of little-endian float32 rows, so a build holds one
 * batch of vectors in memory, not the corpus. After {@link #finish()} the file is mapped and
 * slices of rows are copied out per graph shard. Not thread-safe: one build thread appends.
 */
public final class EmbeddingSpool implements AutoCloseable {
  private final Path file;
  private final int dims;
  private final OutputStream out;
  private final ByteBuffer row;
  private long rows;
  private Arena arena;
  private MemorySegment mapped;

  public EmbeddingSpool(Path file, int dims) throws IOException {
    this.file = file;
    this.dims = dims;
    this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 20);
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

  /** Flushes, fsyncs and maps the file for reading. */
  public void finish() throws IOException {
    out.close();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.force(true);
      arena = Arena.ofShared();
      mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    }
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

  /** Maps an existing spool file read-only (the embedding cache of a previous build). */
  public static MemorySegment map(Path file, Arena arena) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
    if (arena != null) {
      arena.close();
    }
  }
}
