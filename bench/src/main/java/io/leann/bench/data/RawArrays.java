package io.leann.bench.data;

import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.LittleEndian;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Headerless little-endian float32 / int32 array files: numpy's {@code tofile}/{@code fromfile}
 * layout, which is how the harness hands vectors and ground truth to the Python peers and how it
 * caches converted data sets. Element counts come from the caller (or the file length).
 */
public final class RawArrays {
  private RawArrays() {}

  public static void writeFloats(Path file, float[] values) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate((long) values.length * Float.BYTES);
      MemorySegment.copy(values, 0, seg, LittleEndian.FLOAT, 0, values.length);
      write(file, seg);
    }
  }

  public static void writeInts(Path file, int[] values) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment seg = arena.allocate((long) values.length * Integer.BYTES);
      MemorySegment.copy(values, 0, seg, LittleEndian.INT, 0, values.length);
      write(file, seg);
    }
  }

  /** Reads the whole file as floats. */
  public static float[] readFloats(Path file) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long bytes = ch.size();
      if (bytes % Float.BYTES != 0 || bytes / Float.BYTES > Integer.MAX_VALUE - 8) {
        throw new IOException(file + ": " + bytes + " bytes is not a float32 array that fits in memory");
      }
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, arena);
      float[] out = new float[(int) (bytes / Float.BYTES)];
      MemorySegment.copy(seg, LittleEndian.FLOAT, 0, out, 0, out.length);
      return out;
    }
  }

  /**
   * Reads a data set's cached rows of {@code dims} floats, refusing a file that is not whole rows
   * or holds no more than {@code minRows} of them.
   *
   * @throws IOException naming the file, which the caller rebuilds once deleted
   */
  static float[] readCache(Path cache, int dims, int minRows) throws IOException {
    float[] all = readFloats(cache);
    if (all.length % dims != 0 || all.length / dims <= minRows) {
      throw new IOException(cache + " is damaged (" + all.length + " floats); delete it to rebuild it");
    }
    return all;
  }

  /** Writes a data set's cache so that readers see the whole file or none. */
  static void writeCache(Path cache, float[] values) throws IOException {
    Path temp = AtomicFiles.tempFor(cache);
    try {
      writeFloats(temp, values);
      AtomicFiles.publish(temp, cache);
    } catch (IOException e) {
      AtomicFiles.discard(temp);
      throw e;
    }
  }

  private static void write(Path file, MemorySegment seg) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      var buffer = seg.asByteBuffer();
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
    }
  }
}
