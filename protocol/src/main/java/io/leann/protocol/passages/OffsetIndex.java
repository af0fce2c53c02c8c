package io.leann.protocol.passages;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The binary offset index ({@code *.passages.idx}): for row {@code i}, the byte offset where the
 * row's line starts in the jsonl and the CRC32C of that line. All values little-endian:
 * <pre>
 *  0  8 bytes  magic "LEANNPIX"
 *  8  u32      version (2)
 * 12  u32      flags (0; anything else is rejected so that a future flag is never silently ignored)
 * 16  u64      count of rows
 * 24  u64      byte size of the jsonl the offsets describe (pairs the index with one jsonl write)
 * 32  u32      CRC32C of the entries section
 * 36  u32      CRC32C of bytes [0, 36)
 * 40  count × {u64 offset, u32 crc32c}: offsets strictly increasing, each below the jsonl size; the
 *     CRC32C covers the row's line from its offset up to and including its line break
 * </pre>
 * The per-row checksums live here rather than in the jsonl so that the jsonl stays exactly what the
 * Python LEANN reads. Version 1 (offsets without checksums, written by earlier builds) is refused
 * with a request to rebuild: a store whose reads cannot be verified is not served.
 *
 * <p>A mapped index is immutable and safe to read from any thread while its arena is open; every
 * invariant above is verified by {@link #map}, so {@link #offset} needs no checks of its own. An
 * index made by {@link #of} (the Python LEANN's pickled offsets) has no checksums:
 * {@link #hasChecksums()} is false.
 */
final class OffsetIndex {

    static final int HEADER_BYTES = 40;
    static final int VERSION = 2;
    /** One entry: the u64 offset, then the u32 checksum of the row's line. */
    static final int ENTRY_BYTES = Long.BYTES + Integer.BYTES;

    private static final byte[] MAGIC = "LEANNPIX".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION_AT = 8;
    private static final int FLAGS_AT = 12;
    private static final int COUNT_AT = 16;
    private static final int JSONL_SIZE_AT = 24;
    private static final int OFFSETS_CRC_AT = 32;
    private static final int HEADER_CRC_AT = 36;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** ByteBuffer views are int-indexed; checksums over larger sections go chunk by chunk. */
    private static final long CRC_CHUNK = 1L << 30;

    private final MemorySegment segment;
    private final long base;
    /** Bytes from one row's entry to the next: {@link #ENTRY_BYTES}, or a bare u64 without checksums. */
    private final long stride;
    private final long count;
    private final long jsonlSize;

    private OffsetIndex(MemorySegment segment, long base, long stride, long count, long jsonlSize) {
        this.segment = segment;
        this.base = base;
        this.stride = stride;
        this.count = count;
        this.jsonlSize = jsonlSize;
    }

    /** Maps {@code idx} into {@code arena} and verifies the whole file: O(count), sequential. */
    static OffsetIndex map(Path idx, Arena arena) throws IOException {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new PassageStoreException(idx,
                    "missing; rebuild it from the jsonl with PassageIndexBuilder.rebuild", e);
        }
        long fileSize = seg.byteSize();
        if (fileSize < HEADER_BYTES) {
            throw new PassageStoreException(idx,
                    "truncated: " + fileSize + " bytes, the header alone takes " + HEADER_BYTES);
        }
        if (MemorySegment.mismatch(seg, 0, MAGIC.length, MemorySegment.ofArray(MAGIC), 0, MAGIC.length) != -1) {
            throw new PassageStoreException(idx, "wrong magic: not a LEANNPIX passage offset index");
        }
        int version = seg.get(U32, VERSION_AT);
        if (version == 1) {
            throw new PassageStoreException(idx, "version 1 was written by an earlier LEANN without per-passage"
                    + " checksums; rebuild the index (leann build --force) to serve it");
        }
        if (version != VERSION) {
            throw new PassageStoreException(idx,
                    "unsupported version " + Integer.toUnsignedString(version) + " (this build reads " + VERSION + ")");
        }
        if (seg.get(U32, HEADER_CRC_AT) != crc32c(seg, 0, HEADER_CRC_AT)) {
            throw new PassageStoreException(idx, "header checksum mismatch: the header is corrupt");
        }
        int flags = seg.get(U32, FLAGS_AT);
        if (flags != 0) {
            throw new PassageStoreException(idx, "unknown flags 0x" + Integer.toHexString(flags));
        }
        long count = seg.get(U64, COUNT_AT);
        long jsonlSize = seg.get(U64, JSONL_SIZE_AT);
        long held = (fileSize - HEADER_BYTES) / ENTRY_BYTES;
        if (Long.compareUnsigned(count, held) > 0) {
            throw new PassageStoreException(idx, "truncated: header says " + Long.toUnsignedString(count)
                    + " offsets but file holds " + held);
        }
        if (fileSize != HEADER_BYTES + count * ENTRY_BYTES) {
            throw new PassageStoreException(idx, (fileSize - HEADER_BYTES - count * ENTRY_BYTES)
                    + " trailing bytes after the " + count + " offsets the header announces");
        }
        if (jsonlSize < 0) {
            throw new PassageStoreException(idx, "jsonl size " + Long.toUnsignedString(jsonlSize) + " is not valid");
        }
        if (seg.get(U32, OFFSETS_CRC_AT) != crc32c(seg, HEADER_BYTES, count * ENTRY_BYTES)) {
            throw new PassageStoreException(idx, "offsets checksum mismatch: the offsets are corrupt");
        }
        long previous = -1;
        for (long row = 0; row < count; row++) {
            long offset = seg.get(U64, HEADER_BYTES + row * ENTRY_BYTES);
            if (offset < 0 || offset >= jsonlSize) {
                throw new PassageStoreException(idx, "offset of row " + row + " (" + offset
                        + ") is outside the jsonl, which has " + jsonlSize + " bytes");
            }
            if (offset <= previous) {
                throw new PassageStoreException(idx, "offset of row " + row + " (" + offset
                        + ") is not after row " + (row - 1) + "'s (" + previous + ")");
            }
            previous = offset;
        }
        return new OffsetIndex(seg, HEADER_BYTES, ENTRY_BYTES, count, jsonlSize);
    }

    /**
     * Whether {@code seg} starts like a pickle of protocol 2 or later (the Python LEANN's
     * {@code .passages.idx}): PROTO, then the protocol number.
     */
    static boolean looksPickled(MemorySegment seg) {
        return seg.byteSize() >= 2 && seg.get(ValueLayout.JAVA_BYTE, 0) == (byte) 0x80
                && seg.get(ValueLayout.JAVA_BYTE, 1) >= 2 && seg.get(ValueLayout.JAVA_BYTE, 1) <= 5;
    }

    /**
     * An index over offsets obtained elsewhere (the Python LEANN's pickled dict), copied into
     * {@code arena}. Verifies what {@link #map} verifies of its offsets: each inside the jsonl and
     * after the previous row's.
     */
    static OffsetIndex of(long[] offsets, Path jsonl, long jsonlSize, Path idx, Arena arena)
            throws PassageStoreException {
        MemorySegment seg = arena.allocate(Math.max(1, offsets.length) * (long) Long.BYTES);
        long previous = -1;
        for (int row = 0; row < offsets.length; row++) {
            long offset = offsets[row];
            if (offset < 0 || offset >= jsonlSize) {
                throw new PassageStoreException(idx, "offset of row " + row + " (" + offset
                        + ") is outside " + jsonl + ", which has " + jsonlSize + " bytes (truncated?)");
            }
            if (offset <= previous) {
                throw new PassageStoreException(idx, "offset of row " + row + " (" + offset
                        + ") is not after row " + (row - 1) + "'s (" + previous
                        + "): the passages are not stored in graph row order");
            }
            previous = offset;
            seg.set(U64, row * (long) Long.BYTES, offset);
        }
        return new OffsetIndex(seg, 0, Long.BYTES, offsets.length, jsonlSize);
    }

    long count() {
        return count;
    }

    /** Byte size of the jsonl this index was built for; the store compares it with the actual file. */
    long jsonlSize() {
        return jsonlSize;
    }

    /** Start of row {@code row}'s line; {@code row} must be in {@code [0, count)}. */
    long offset(long row) {
        return segment.get(U64, base + row * stride);
    }

    /** Whether {@link #checksum} is there: false for the Python LEANN's offsets, which have none. */
    boolean hasChecksums() {
        return stride == ENTRY_BYTES;
    }

    /** CRC32C of row {@code row}'s line, line break included; only when {@link #hasChecksums()}. */
    int checksum(long row) {
        return segment.get(U32, base + row * stride + Long.BYTES);
    }

    private static int crc32c(MemorySegment seg, long from, long length) {
        CRC32C crc = new CRC32C();
        for (long done = 0; done < length; done += CRC_CHUNK) {
            crc.update(seg.asSlice(from + done, Math.min(CRC_CHUNK, length - done)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private static ByteBuffer header(long count, long jsonlSize, int offsetsCrc) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .put(MAGIC)
                .putInt(VERSION)
                .putInt(0)
                .putLong(count)
                .putLong(jsonlSize)
                .putInt(offsetsCrc);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_CRC_AT);
        return header.putInt((int) crc.getValue()).flip();
    }

    /**
     * Streams offsets into a fresh file: the offsets go out as they come (constant memory however many
     * rows), the header is written last because it holds the count and checksums. Writes exactly what it
     * is given: validation happens on {@link #map}. Not thread-safe.
     */
    static final class Writer {

        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private long count;

        /** {@code channel} must be empty and writable; the writer never closes it. */
        Writer(FileChannel channel) throws IOException {
            this.channel = channel;
            channel.position(HEADER_BYTES);
        }

        /** Appends the next row: where its line starts and the CRC32C of the line, line break included. */
        void add(long offset, int lineCrc) throws IOException {
            if (buffer.remaining() < ENTRY_BYTES) {
                drain();
            }
            buffer.putLong(offset).putInt(lineCrc);
            count++;
        }

        long count() {
            return count;
        }

        /** Writes the pending offsets and then the header; the caller forces the channel. */
        void finish(long jsonlSize) throws IOException {
            drain();
            ByteBuffer header = header(count, jsonlSize, (int) crc.getValue());
            for (long at = 0; header.hasRemaining(); ) {
                at += channel.write(header, at);
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        }
    }
}
