package io.leann.protocol.passages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Read access to a passage store written by {@link PassageWriter} (or indexed by
 * {@link PassageIndexBuilder}): O(1) lookup of a passage by row through the memory-mapped offset index
 * and jsonl, so neither file is read into the heap and files past 2 GiB work.
 *
 * <p>Invariants, verified by {@link #open}: the index is intact (magic, version, checksums, count),
 * was written for this very jsonl (its recorded size matches), its offsets increase strictly and lie
 * inside the jsonl, and the jsonl ends with a line break, so the last row is complete. The content of a
 * row is only parsed when read; a row that does not parse fails that read alone.
 *
 * <p>The id table behind {@link #id} and {@link #rowOf} is built on first use, from {@code ids.txt}
 * when one was given and otherwise from the ids in the jsonl (one pass over all rows); it then costs
 * one {@code String} and one map entry per row.
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
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile IdTable idTable;

    private PassageStore(Path jsonlPath, Path idsPath, Arena arena, OffsetIndex offsets, MemorySegment jsonl) {
        this.jsonlPath = jsonlPath;
        this.idsPath = idsPath;
        this.arena = arena;
        this.offsets = offsets;
        this.jsonl = jsonl;
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
            OffsetIndex offsets = OffsetIndex.map(idx, arena);
            MemorySegment jsonl = mapJsonl(jsonlPath, arena);
            if (jsonl.byteSize() != offsets.jsonlSize()) {
                throw new PassageStoreException(jsonlPath, "has " + jsonl.byteSize() + " bytes but " + idx
                        + " was written for " + offsets.jsonlSize() + ": the files come from different writes");
            }
            if (offsets.count() > 0 && jsonl.get(ValueLayout.JAVA_BYTE, jsonl.byteSize() - 1) != '\n') {
                throw new PassageStoreException(jsonlPath, "does not end with a line break: the last row is truncated");
            }
            return new PassageStore(jsonlPath, idsPath, arena, offsets, jsonl);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
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
        try {
            return PassageCodec.decode(line, 0, line.length);
        } catch (IOException e) {
            throw rowProblem(row, e);
        }
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
        return jsonl.asSlice(start, end - start).toArray(ValueLayout.JAVA_BYTE);
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
