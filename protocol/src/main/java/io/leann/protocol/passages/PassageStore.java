package io.leann.protocol.passages;

import io.leann.protocol.pickle.PickleException;
import io.leann.protocol.pickle.StringIntDictPickle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Read access to a passage store written by {@link PassageWriter} (or indexed by
 * {@link PassageIndexBuilder}): O(1) lookup of a passage by row through the memory-mapped offset index
 * and jsonl, so neither file is read into the heap and files past 2 GiB work.
 *
 * <p>Invariants, verified by {@link #open}: the index is intact (magic, version, checksums, count),
 * was written for this very jsonl (its recorded size matches), its offsets increase strictly and lie
 * inside the jsonl, and the jsonl ends with a line break, so the last row is complete. The content of a
 * row is only checked and parsed when read: every read (passages, ids) verifies the row's line against
 * its CRC32C in the offset index first, so an altered byte fails that read, never returns other text
 * or another id.
 *
 * <p>The id table behind {@link #id} and {@link #rowOf} is built on first use, from {@code ids.txt}
 * when one was given and otherwise from the ids in the jsonl (one pass over all rows); it then costs
 * one {@code String} and one map entry per row.
 *
 * <p>The Python LEANN's layout opens too: when {@code .passages.idx} is a pickled
 * {@code dict[str id -> byte offset]} (read by {@link StringIntDictPickle}, never executed), row
 * {@code i} is the passage whose id is line {@code i} of {@code ids.txt}, or {@code str(i)} without
 * one, exactly as the Python searcher maps graph labels to passages. Such a store verifies that every
 * row's offset starts a line, that the rows lie in file order, and, on each read, that the record
 * there carries the id the pickle maps to it; the Python LEANN keeps no checksums, so its texts are
 * read unverified (an import with {@code --convert} writes our index, with them).
 *
 * <p>Thread-safe: any number of threads may read concurrently. {@link #close()} unmaps the files and
 * must happen after every read has finished; reads after it throw {@link IllegalStateException}. The
 * files must not be modified in place while open (writers replace them by rename, which is safe).
 */
public final class PassageStore implements AutoCloseable {

    /** Rows are parsed from, and ids held in, Java arrays, which are int-indexed. */
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private record IdTable(String[] ids, Map<String, Integer> rows) {}

    private final Path jsonlPath;
    private final Path idsPath;
    private final Arena arena;
    private final OffsetIndex offsets;
    private final MemorySegment jsonl;
    /** Ids the rows must carry (a pickled index names them), or null when the jsonl is authoritative. */
    private final String[] expectedIds;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile IdTable idTable;

    private PassageStore(Path jsonlPath, Path idsPath, Arena arena, OffsetIndex offsets, MemorySegment jsonl,
            IdTable ids) {
        this.jsonlPath = jsonlPath;
        this.idsPath = idsPath;
        this.arena = arena;
        this.offsets = offsets;
        this.jsonl = jsonl;
        this.idTable = ids;
        this.expectedIds = ids == null ? null : ids.ids();
    }

    /**
     * Opens a store without {@code ids.txt}; ids come from the jsonl when first needed.
     *
     * @throws PassageStoreException if a file is missing, corrupt or belongs to another write
     */
    public static PassageStore open(Path jsonl, Path idx) throws IOException {
        return openVerified(jsonl, idx, null);
    }

    /**
     * Opens a store whose row ids are listed in {@code idsTxt}, one per line.
     *
     * @throws PassageStoreException if a file is missing, corrupt or belongs to another write
     */
    public static PassageStore open(Path jsonl, Path idx, Path idsTxt) throws IOException {
        if (!Files.isRegularFile(Objects.requireNonNull(idsTxt, "idsTxt"))) {
            throw new PassageStoreException(idsTxt, "missing");
        }
        return openVerified(jsonl, idx, idsTxt);
    }

    private static PassageStore openVerified(Path jsonlPath, Path idx, Path idsPath) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            if (pickled(idx)) {
                return openPickled(jsonlPath, idx, idsPath, arena);
            }
            OffsetIndex offsets = OffsetIndex.map(idx, arena);
            MemorySegment jsonl = mapJsonl(jsonlPath, arena);
            if (jsonl.byteSize() != offsets.jsonlSize()) {
                throw new PassageStoreException(jsonlPath, "has " + jsonl.byteSize() + " bytes but " + idx
                        + " was written for " + offsets.jsonlSize() + ": the files come from different writes");
            }
            if (offsets.count() > 0 && jsonl.get(ValueLayout.JAVA_BYTE, jsonl.byteSize() - 1) != '\n') {
                throw new PassageStoreException(jsonlPath, "does not end with a line break: the last row is truncated");
            }
            return new PassageStore(jsonlPath, idsPath, arena, offsets, jsonl, null);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static boolean pickled(Path idx) throws IOException {
        try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(2);
            while (head.hasRemaining() && ch.read(head) >= 0) {
                // a regular file delivers both bytes in one read; loop for the others
            }
            return OffsetIndex.looksPickled(MemorySegment.ofBuffer(head.flip()));
        } catch (NoSuchFileException e) {
            return false; // OffsetIndex.map reports the missing file
        }
    }

    /** The Python LEANN's layout: row offsets come from the pickled id-to-offset dict. */
    private static PassageStore openPickled(Path jsonlPath, Path idx, Path idsPath, Arena arena) throws IOException {
        Map<String, Long> byId;
        try (Arena scratch = Arena.ofConfined(); FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
            byId = StringIntDictPickle.read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), scratch), idx);
        } catch (PickleException e) {
            throw new PassageStoreException(idx, e.problem(), e);
        }
        String[] ids;
        if (idsPath != null) {
            ids = readAllIds(idsPath);
            if (ids.length != byId.size()) {
                throw new PassageStoreException(idsPath, "lists " + ids.length + " ids but " + idx + " maps "
                        + byId.size());
            }
        } else {
            ids = new String[byId.size()];
            for (int row = 0; row < ids.length; row++) {
                ids[row] = Integer.toString(row);
            }
        }
        long[] rowOffsets = new long[ids.length];
        for (int row = 0; row < ids.length; row++) {
            Long offset = byId.get(ids[row]);
            if (offset == null) {
                throw new PassageStoreException(idx, "has no offset for passage id \"" + ids[row] + "\" of graph row "
                        + row + (idsPath == null ? " (without an ids.txt, row i is id str(i))" : " named by " + idsPath));
            }
            rowOffsets[row] = offset;
        }
        MemorySegment jsonl = mapJsonl(jsonlPath, arena);
        OffsetIndex offsets = OffsetIndex.of(rowOffsets, jsonlPath, jsonl.byteSize(), idx, arena);
        if (offsets.count() > 0 && jsonl.get(ValueLayout.JAVA_BYTE, jsonl.byteSize() - 1) != '\n') {
            throw new PassageStoreException(jsonlPath, "does not end with a line break: the last row is truncated");
        }
        for (int row = 0; row < rowOffsets.length; row++) {
            long at = rowOffsets[row];
            if (at > 0 && jsonl.get(ValueLayout.JAVA_BYTE, at - 1) != '\n') {
                throw new PassageStoreException(idx, "offset " + at + " of passage id \"" + ids[row]
                        + "\" is not at the start of a line of " + jsonlPath);
            }
        }
        return new PassageStore(jsonlPath, idsPath, arena, offsets, jsonl, idTable(ids, idsPath != null ? idsPath : idx));
    }

    private static String[] readAllIds(Path idsTxt) throws PassageStoreException {
        List<String> ids = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(idsTxt, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                ids.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new PassageStoreException(idsTxt, "is not valid UTF-8", e);
        } catch (NoSuchFileException e) {
            throw new PassageStoreException(idsTxt, "missing", e);
        } catch (IOException e) {
            throw new PassageStoreException(idsTxt, "cannot be read: " + e.getMessage(), e);
        }
        return ids.toArray(String[]::new);
    }

    private static MemorySegment mapJsonl(Path jsonl, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(jsonl, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new PassageStoreException(jsonl, "missing", e);
        }
    }

    /** Number of passages. */
    public long size() {
        return offsets.count();
    }

    /**
     * The passage at {@code row}: one offset lookup, one copy of its line, one parse.
     *
     * @throws IndexOutOfBoundsException if {@code row} is not in {@code [0, size())}
     * @throws PassageStoreException     if the row's line is not a valid passage record
     */
    public Passage get(long row) throws PassageStoreException {
        byte[] line = line(row);
        Passage passage;
        try {
            passage = PassageCodec.decode(line, 0, line.length);
        } catch (IOException e) {
            throw rowProblem(row, e);
        }
        if (expectedIds != null && !expectedIds[(int) row].equals(passage.id())) {
            throw new PassageStoreException(jsonlPath, "row " + row + " at byte " + offsets.offset(row) + " has id \""
                    + passage.id() + "\" but the offset index maps id \"" + expectedIds[(int) row] + "\" there");
        }
        return passage;
    }

    /**
     * The id of the passage at {@code row}.
     *
     * @throws IndexOutOfBoundsException if {@code row} is not in {@code [0, size())}
     * @throws PassageStoreException     if the id table cannot be built (see {@link #rowOf})
     */
    public String id(long row) throws PassageStoreException {
        checkRow(row);
        return idTable().ids()[(int) row];
    }

    /**
     * The row of the passage with this id, if any.
     *
     * @throws PassageStoreException if the id table cannot be built: {@code ids.txt} unreadable or with
     *                               the wrong number of lines, a row without a readable id, or an id
     *                               that appears twice
     */
    public OptionalLong rowOf(String id) throws PassageStoreException {
        Integer row = idTable().rows().get(Objects.requireNonNull(id, "id"));
        return row == null ? OptionalLong.empty() : OptionalLong.of(row);
    }

    /**
     * All passages in row order; lazy, one row parsed per element. A row that does not parse surfaces
     * as an {@link UncheckedIOException} wrapping the {@link PassageStoreException}.
     */
    public Stream<Passage> stream() {
        return LongStream.range(0, size()).mapToObj(row -> {
            try {
                return get(row);
            } catch (PassageStoreException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Unmaps both files. Idempotent; must not race with reads. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    private byte[] line(long row) throws PassageStoreException {
        checkRow(row);
        long start = offsets.offset(row);
        long end = row + 1 < offsets.count() ? offsets.offset(row + 1) : jsonl.byteSize();
        if (end - start > MAX_ARRAY_LENGTH) {
            throw new PassageStoreException(jsonlPath, "row " + row + " spans " + (end - start)
                    + " bytes, more than the " + MAX_ARRAY_LENGTH + " a passage may take");
        }
        byte[] line = jsonl.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
        return offsets.hasChecksums() ? verified(row, line) : line;
    }

    /**
     * The row's line, line break included, once it matches its checksum; blank lines after it (a
     * rebuilt index keeps them inside the row) are dropped.
     */
    private byte[] verified(long row, byte[] line) throws PassageStoreException {
        int length = 0;
        while (length < line.length && line[length] != '\n') {
            length++;
        }
        if (length == line.length) {
            throw new PassageStoreException(jsonlPath, "row " + row + " fails its checksum: its line break is gone");
        }
        length++;
        CRC32C crc = new CRC32C();
        crc.update(line, 0, length);
        if ((int) crc.getValue() != offsets.checksum(row)) {
            throw new PassageStoreException(jsonlPath, "row " + row + " fails its checksum: the passage was"
                    + " altered after it was written");
        }
        return length == line.length ? line : Arrays.copyOf(line, length);
    }

    private void checkRow(long row) {
        if (row < 0 || row >= offsets.count()) {
            throw new IndexOutOfBoundsException(
                    "row " + row + " is out of range: " + jsonlPath + " holds " + offsets.count() + " passages");
        }
    }

    private PassageStoreException rowProblem(long row, IOException e) {
        return new PassageStoreException(jsonlPath, "row " + row + ": " + PassageCodec.describe(e), e);
    }

    private IdTable idTable() throws PassageStoreException {
        IdTable table = idTable;
        if (table == null) {
            synchronized (this) {
                table = idTable;
                if (table == null) {
                    table = loadIdTable();
                    idTable = table;
                }
            }
        }
        return table;
    }

    private IdTable loadIdTable() throws PassageStoreException {
        Path source = idsPath != null ? idsPath : jsonlPath;
        long count = offsets.count();
        if (count > MAX_ARRAY_LENGTH) {
            throw new PassageStoreException(source, count + " rows are too many for an in-memory id table");
        }
        String[] ids = idsPath != null ? readIdsTxt((int) count) : readJsonlIds((int) count);
        return idTable(ids, source);
    }

    private static IdTable idTable(String[] ids, Path source) throws PassageStoreException {
        Map<String, Integer> rows = HashMap.newHashMap(ids.length);
        for (int row = 0; row < ids.length; row++) {
            Integer earlier = rows.putIfAbsent(ids[row], row);
            if (earlier != null) {
                throw new PassageStoreException(source,
                        "id \"" + ids[row] + "\" appears at rows " + earlier + " and " + row);
            }
        }
        return new IdTable(ids, rows);
    }

    private String[] readIdsTxt(int count) throws PassageStoreException {
        String[] ids = new String[count];
        long lines = 0;
        try (BufferedReader reader = Files.newBufferedReader(idsPath, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; lines++) {
                if (lines < count) {
                    ids[(int) lines] = line;
                }
            }
        } catch (CharacterCodingException e) {
            throw new PassageStoreException(idsPath, "is not valid UTF-8", e);
        } catch (IOException e) {
            throw new PassageStoreException(idsPath, "cannot be read: " + e.getMessage(), e);
        }
        if (lines != count) {
            throw new PassageStoreException(idsPath, "holds " + lines + " ids but the index has " + count + " rows");
        }
        return ids;
    }

    private String[] readJsonlIds(int count) throws PassageStoreException {
        String[] ids = new String[count];
        for (int row = 0; row < count; row++) {
            byte[] line = line(row);
            try {
                ids[row] = PassageCodec.decodeId(line, 0, line.length);
            } catch (IOException e) {
                throw rowProblem(row, e);
            }
        }
        return ids;
    }
}
