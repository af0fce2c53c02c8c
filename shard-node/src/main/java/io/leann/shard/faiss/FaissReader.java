package io.leann.shard.faiss;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A cursor over a mapped FAISS file: little-endian scalars and FAISS "vectors" (a u64 element count,
 * then the elements), every read checked against the end of the file and named after the field it
 * reads, so a truncated or corrupt file fails with the field and byte offset, never an out-of-bounds
 * read. Vectors are returned as slices of the mapping, not copied. Not thread-safe; one per parse.
 */
final class FaissReader {
  private final Path file;
  private final MemorySegment data;
  private long pos;

  FaissReader(Path file, MemorySegment data) {
    this.file = file;
    this.data = data;
  }

  long position() {
    return pos;
  }

  long remaining() {
    return data.byteSize() - pos;
  }

  int u8(String field) throws IndexFormatException {
    need(1, field);
    return data.get(LittleEndian.BYTE, pos++) & 0xff;
  }

  int i32(String field) throws IndexFormatException {
    need(4, field);
    int v = data.get(LittleEndian.INT, pos);
    pos += 4;
    return v;
  }

  long i64(String field) throws IndexFormatException {
    need(8, field);
    long v = data.get(LittleEndian.LONG, pos);
    pos += 8;
    return v;
  }

  float f32(String field) throws IndexFormatException {
    need(4, field);
    float v = data.get(LittleEndian.FLOAT, pos);
    pos += 4;
    return v;
  }

  /** Four ASCII characters, as FAISS writes its type tags. */
  String fourcc(String field) throws IndexFormatException {
    need(4, field);
    byte[] b = data.asSlice(pos, 4).toArray(LittleEndian.BYTE);
    pos += 4;
    for (byte c : b) {
      if (c < 0x20 || c > 0x7e) {
        return String.format("0x%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
      }
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  /**
   * A FAISS vector of {@code elementBytes}-byte elements: its count, then its data, as a slice.
   *
   * @throws IndexFormatException if the count does not fit in the rest of the file
   */
  MemorySegment vector(String field, int elementBytes) throws IndexFormatException {
    long count = i64(field + " size");
    if (count < 0 || count > remaining() / elementBytes) {
      throw fail(field, "size " + Long.toUnsignedString(count) + " x " + elementBytes
          + " bytes overruns the file (" + remaining() + " bytes remain): truncated or corrupt");
    }
    MemorySegment slice = data.asSlice(pos, count * elementBytes);
    pos += count * elementBytes;
    return slice;
  }

  private void need(long bytes, String field) throws IndexFormatException {
    if (bytes > remaining()) {
      throw fail(field, "needs " + bytes + " bytes but the file ends " + remaining()
          + " bytes later: truncated");
    }
  }

  /** An error naming the file, the field and where it was read. */
  IndexFormatException fail(String field, String problem) {
    return new IndexFormatException(file, "FAISS field " + field + " (near byte " + pos + "): " + problem);
  }
}
