package io.leann.shard.text;

import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The {@code .bm25} file of a shard: a {@link Bm25Index} as little-endian arrays behind a header,
 * closed by a CRC32C of everything before it.
 *
 * <pre>
 *   0  magic "LEANBM25"        8 bytes
 *   8  version                 u32 (1)
 *  12  rows                    u32
 *  16  docCount                u32
 *  20  termCount T             u32
 *  24  sumTotalTermFreq        u64
 *  32  postingCount P          u64
 *  40  termBytes B             u64
 *  48  norms                   u8[rows]
 *      termEnds                u32[T]     end of each term in the blob (UTF-8, sorted by String order)
 *      termBlob                u8[B]
 *      postingStarts           u32[T + 1]
 *      docs                    u32[P]
 *      freqs                   u32[P]
 *      crc32c                  u32        over all bytes before it
 * </pre>
 * The BM25 parameters are not stored: they are a query-time choice. Writes go to a temp file that
 * is fsynced and renamed ({@link AtomicFiles}); a read checks the CRC and every index invariant, and
 * names the file in its error. Stateless.
 */
final class Bm25File {
  static final int VERSION = 1;
  private static final byte[] MAGIC = "LEANBM25".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_BYTES = 48;

  private Bm25File() {}

  static void write(Bm25Index index, Path target) throws IOException {
    String[] terms = index.terms();
    byte[][] encoded = new byte[terms.length][];
    long termBytes = 0;
    for (int t = 0; t < terms.length; t++) {
      encoded[t] = terms[t].getBytes(StandardCharsets.UTF_8);
      termBytes += encoded[t].length;
    }
    if (termBytes > 0xFFFF_FFFFL) {
      throw new IOException("cannot write " + target + ": the term dictionary exceeds 4 GiB");
    }
    long dictionaryBytes = termBytes;
    AtomicFiles.write(target, temp -> {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          LeOut out = new LeOut(Channels.newOutputStream(ch))) {
        out.bytes(MAGIC);
        out.u32(VERSION);
        out.u32(index.size());
        out.u32(index.docCount());
        out.u32(terms.length);
        out.u64(index.sumTotalTermFreq());
        out.u64(index.docs().length);
        out.u64(dictionaryBytes);
        out.bytes(index.norms());
        long end = 0;
        for (byte[] term : encoded) {
          end += term.length;
          out.u32((int) end);
        }
        for (byte[] term : encoded) {
          out.bytes(term);
        }
        out.u32s(index.start());
        out.u32s(index.docs());
        out.u32s(index.freqs());
        out.crc();
      }
    });
  }

  static Bm25Index read(Path path, Bm25Params params) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      return parse(path, seg, params);
    } catch (NoSuchFileException e) {
      throw new IndexFormatException(path, "missing");
    }
  }

  private static Bm25Index parse(Path path, MemorySegment seg, Bm25Params params) throws IOException {
    long size = seg.byteSize();
    if (size < HEADER_BYTES + 4 || seg.asSlice(0, MAGIC.length).mismatch(MemorySegment.ofArray(MAGIC)) != -1) {
      throw new IndexFormatException(path, "is not a LEANN BM25 index (bad magic or too short)");
    }
    int version = seg.get(LittleEndian.INT, 8);
    if (version != VERSION) {
      throw new IndexFormatException(path, "has BM25 format version " + version + ", this build reads " + VERSION);
    }
    int stored = seg.get(LittleEndian.INT, size - 4);
    if (stored != crc32c(seg, size - 4)) {
      throw new IndexFormatException(path, "checksum mismatch: the file is corrupt or truncated");
    }
    int rows = seg.get(LittleEndian.INT, 12);
    int docCount = seg.get(LittleEndian.INT, 16);
    int termCount = seg.get(LittleEndian.INT, 20);
    long sumTotalTermFreq = seg.get(LittleEndian.LONG, 24);
    long postingCount = seg.get(LittleEndian.LONG, 32);
    long termBytes = seg.get(LittleEndian.LONG, 40);
    if (rows < 0 || docCount < 0 || docCount > rows || termCount < 0 || termCount == Integer.MAX_VALUE
        || postingCount < termCount || postingCount > Integer.MAX_VALUE - 8 || termBytes < 0
        || termBytes > 0xFFFF_FFFFL) {
      throw new IndexFormatException(path, "has impossible counts (rows " + rows + ", docs " + docCount
          + ", terms " + termCount + ", postings " + postingCount + ", term bytes " + termBytes + ")");
    }
    long expected = HEADER_BYTES + rows + 4L * termCount + termBytes + 4L * (termCount + 1)
        + 8 * postingCount + 4;
    if (size != expected) {
      throw new IndexFormatException(path, "has " + size + " bytes, its header implies " + expected);
    }
    long at = HEADER_BYTES;
    byte[] norms = seg.asSlice(at, rows).toArray(LittleEndian.BYTE);
    at += rows;
    int[] termEnds = ints(seg, at, termCount);
    at += 4L * termCount;
    MemorySegment blob = seg.asSlice(at, termBytes);
    at += termBytes;
    int[] start = ints(seg, at, termCount + 1);
    at += 4L * (termCount + 1);
    int[] docs = ints(seg, at, (int) postingCount);
    at += 4 * postingCount;
    int[] freqs = ints(seg, at, (int) postingCount);
    String[] terms = decodeTerms(path, blob, termEnds);
    verify(path, rows, docCount, sumTotalTermFreq, norms, start, docs, freqs);
    return new Bm25Index(rows, docCount, sumTotalTermFreq, norms, terms, start, docs, freqs, params);
  }

  private static String[] decodeTerms(Path path, MemorySegment blob, int[] termEnds)
      throws IndexFormatException {
    CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    String[] terms = new String[termEnds.length];
    long from = 0;
    for (int t = 0; t < termEnds.length; t++) {
      long to = Integer.toUnsignedLong(termEnds[t]);
      if (to <= from || to > blob.byteSize()) {
        throw new IndexFormatException(path, "term " + t + " has an invalid extent in the dictionary");
      }
      try {
        terms[t] = utf8.decode(blob.asSlice(from, to - from).asByteBuffer()).toString();
      } catch (CharacterCodingException e) {
        throw new IndexFormatException(path, "term " + t + " is not valid UTF-8");
      }
      if (t > 0 && terms[t - 1].compareTo(terms[t]) >= 0) {
        throw new IndexFormatException(path, "terms are not strictly sorted at term " + t);
      }
      from = to;
    }
    if (from != blob.byteSize()) {
      throw new IndexFormatException(path, "the term dictionary has trailing bytes");
    }
    return terms;
  }

  private static void verify(Path path, int rows, int docCount, long sumTotalTermFreq, byte[] norms,
      int[] start, int[] docs, int[] freqs) throws IndexFormatException {
    if (start[0] != 0 || start[start.length - 1] != docs.length) {
      throw new IndexFormatException(path, "posting starts do not span the postings");
    }
    long freqSum = 0;
    for (int t = 0; t + 1 < start.length; t++) {
      if (start[t + 1] <= start[t]) {
        throw new IndexFormatException(path, "term " + t + " has no postings");
      }
      int previous = -1;
      for (int p = start[t]; p < start[t + 1]; p++) {
        if (docs[p] <= previous || docs[p] >= rows) {
          throw new IndexFormatException(path, "term " + t + " has unsorted or out-of-range rows");
        }
        if (freqs[p] <= 0) {
          throw new IndexFormatException(path, "term " + t + " has a non-positive frequency");
        }
        previous = docs[p];
        freqSum += freqs[p];
      }
    }
    if (freqSum != sumTotalTermFreq) {
      throw new IndexFormatException(path, "frequencies sum to " + freqSum + ", the header says " + sumTotalTermFreq);
    }
    int nonEmpty = 0;
    for (byte norm : norms) {
      if (norm != 0) {
        nonEmpty++;
      }
    }
    if (nonEmpty != docCount) {
      throw new IndexFormatException(path, nonEmpty + " rows have tokens, the header says " + docCount);
    }
  }

  private static int[] ints(MemorySegment seg, long offset, int count) {
    int[] out = new int[count];
    MemorySegment.copy(seg, LittleEndian.INT, offset, out, 0, count);
    return out;
  }

  private static int crc32c(MemorySegment seg, long length) {
    CRC32C crc = new CRC32C();
    for (long at = 0; at < length; at += 1 << 20) {
      crc.update(seg.asSlice(at, Math.min(1 << 20, length - at)).asByteBuffer());
    }
    return (int) crc.getValue();
  }

  /** Buffered little-endian output that keeps a CRC32C of everything written. */
  private static final class LeOut implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();

    LeOut(OutputStream out) {
      this.out = new BufferedOutputStream(out, 1 << 16);
    }

    void bytes(byte[] bytes) throws IOException {
      for (int at = 0; at < bytes.length; ) {
        room(1);
        int n = Math.min(buffer.remaining(), bytes.length - at);
        buffer.put(bytes, at, n);
        at += n;
      }
    }

    void u32(int value) throws IOException {
      room(4);
      buffer.putInt(value);
    }

    void u64(long value) throws IOException {
      room(8);
      buffer.putLong(value);
    }

    void u32s(int[] values) throws IOException {
      for (int value : values) {
        u32(value);
      }
    }

    /** Appends the CRC of everything written so far, excluded from the CRC itself. */
    void crc() throws IOException {
      drain();
      ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      tail.putInt((int) crc.getValue());
      out.write(tail.array());
    }

    private void room(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        drain();
      }
    }

    private void drain() throws IOException {
      buffer.flip();
      crc.update(buffer.array(), 0, buffer.limit());
      out.write(buffer.array(), 0, buffer.limit());
      buffer.clear();
    }

    @Override
    public void close() throws IOException {
      drain();
      out.close();
    }
  }
}
