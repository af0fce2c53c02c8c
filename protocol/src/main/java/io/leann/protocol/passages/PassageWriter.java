package io.leann.protocol.passages;

import io.leann.protocol.index.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Streams passages into a new passage store: the jsonl, its offset index and {@code ids.txt}, all
 * published together by {@link #commit()}.
 *
 * <p>Invariants: row {@code i} is the {@code i}-th line of the jsonl, the {@code i}-th offset (with the
 * line's CRC32C) of the index and the {@code i}-th line of {@code ids.txt}; ids are unique and contain no line break. Until
 * commit everything goes to {@code <name>.tmp} siblings of the targets, so the targets hold either
 * their previous content or the complete new store, never a mix that loads: the commit removes the
 * old index before renaming, and the index is renamed last, so a crash mid-commit leaves no index at
 * all (the store refuses to open and the jsonl can be re-indexed). Closing without a commit, as
 * try-with-resources does after an exception, {@linkplain #abort() aborts}.
 *
 * <p>Memory: passages are written through as they come; only the set of ids (for the duplicate
 * check) and one encoded passage are held. Not thread-safe; one writer per target at a time, since
 * the temp names are fixed.
 */
public final class PassageWriter implements AutoCloseable {

    private enum State { OPEN, BROKEN, DONE }

    private final StagedFile jsonl;
    private final StagedFile ids;
    private final StagedFile idx;
    private final OutputStream jsonlOut;
    /** Checksums what goes through {@link #jsonlOut}: reset per line, so it yields the line's CRC32C. */
    private final CRC32C lineCrc = new CRC32C();
    private final OutputStream idsOut;
    private final OffsetIndex.Writer offsets;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final Set<String> seenIds = new HashSet<>();
    /** Strict, unlike String.getBytes, which would silently turn an unpaired surrogate into '?'. */
    private final CharsetEncoder idEncoder = StandardCharsets.UTF_8.newEncoder();
    private long jsonlBytes;
    private State state = State.OPEN;

    private PassageWriter(StagedFile jsonl, StagedFile ids, StagedFile idx) throws IOException {
        this.jsonl = jsonl;
        this.ids = ids;
        this.idx = idx;
        this.jsonlOut = new CheckedOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(jsonl.channel()), 1 << 18), lineCrc);
        this.idsOut = new BufferedOutputStream(Channels.newOutputStream(ids.channel()), 1 << 16);
        this.offsets = new OffsetIndex.Writer(idx.channel());
    }

    /**
     * Starts a store whose files will be {@code jsonl}, {@code idx} and {@code idsTxt}. Existing files
     * under those names stay untouched until {@link #commit()}.
     *
     * @throws IllegalArgumentException if two of the paths name the same file
     */
    public static PassageWriter create(Path jsonl, Path idx, Path idsTxt) throws IOException {
        if (Set.of(jsonl.toAbsolutePath().normalize(), idx.toAbsolutePath().normalize(),
                        idsTxt.toAbsolutePath().normalize()).size() != 3) {
            throw new IllegalArgumentException(
                    "jsonl, idx and ids paths must be three different files: " + jsonl + ", " + idx + ", " + idsTxt);
        }
        StagedFile stagedJsonl = StagedFile.create(jsonl);
        StagedFile stagedIds = null;
        StagedFile stagedIdx = null;
        try {
            stagedIds = StagedFile.create(idsTxt);
            stagedIdx = StagedFile.create(idx);
            return new PassageWriter(stagedJsonl, stagedIds, stagedIdx);
        } catch (IOException | RuntimeException e) {
            for (StagedFile f : new StagedFile[] {stagedJsonl, stagedIds, stagedIdx}) {
                if (f != null) {
                    discardInto(f, e);
                }
            }
            throw e;
        }
    }

    /**
     * Appends one passage and returns its row. A rejected passage writes nothing and leaves the writer
     * usable; an I/O failure leaves it broken, so only {@link #abort()} or {@link #close()} remain.
     *
     * @throws IllegalArgumentException if the id is already in this store, contains a line break or an
     *                                  unpaired surrogate, or the metadata cannot be serialised as JSON
     * @throws IllegalStateException    if the writer was committed, aborted or broken
     */
    public long append(Passage passage) throws IOException {
        requireOpen();
        Objects.requireNonNull(passage, "passage");
        String id = passage.id();
        if (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("passage id \"" + id + "\" contains a line break, which "
                    + ids.target() + " cannot hold");
        }
        ByteBuffer idLine;
        try {
            idLine = idEncoder.encode(CharBuffer.wrap(id + "\n"));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(
                    "passage id \"" + id + "\" is not valid Unicode (unpaired surrogate)", e);
        }
        if (seenIds.contains(id)) {
            throw new IllegalArgumentException(
                    "duplicate passage id \"" + id + "\": ids must be unique within a store");
        }
        line.reset();
        PassageCodec.encode(passage, line);
        try {
            lineCrc.reset();
            line.writeTo(jsonlOut);
            offsets.add(jsonlBytes, (int) lineCrc.getValue());
            idsOut.write(idLine.array(), idLine.arrayOffset() + idLine.position(), idLine.remaining());
        } catch (IOException e) {
            state = State.BROKEN;
            throw e;
        }
        jsonlBytes += line.size();
        seenIds.add(id);
        return offsets.count() - 1;
    }

    /** Number of passages appended so far, which is also the row the next one gets. */
    public long size() {
        return offsets.count();
    }

    /**
     * Makes the store durable and visible: flushes, forces each temp file to the device, then renames
     * them over the targets (jsonl, ids, index last) and syncs the directories. On failure the temp
     * files are deleted and the writer is done.
     *
     * @throws IllegalStateException if the writer was committed, aborted or broken
     */
    public void commit() throws IOException {
        requireOpen();
        state = State.DONE;
        try {
            jsonlOut.flush();
            idsOut.flush();
            offsets.finish(jsonlBytes);
            jsonl.seal();
            ids.seal();
            idx.seal();
            // With the old index gone before any rename, a crash below can never pair an index with a
            // jsonl it was not written for.
            Files.deleteIfExists(idx.target());
            AtomicFiles.syncDirectory(directoryOf(idx.target()));
            jsonl.publish();
            ids.publish();
            idx.publish();
            Set<Path> dirs = new LinkedHashSet<>();
            for (StagedFile f : List.of(jsonl, ids, idx)) {
                dirs.add(directoryOf(f.target()));
            }
            for (Path dir : dirs) {
                AtomicFiles.syncDirectory(dir);
            }
        } catch (IOException | RuntimeException e) {
            discardAll(e);
            throw e;
        }
    }

    /** Deletes the temp files; the targets keep their previous content. Idempotent; no-op after commit. */
    public void abort() throws IOException {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        IOException failure = new IOException("could not delete every temp file of " + jsonl.target());
        discardAll(failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    /** Aborts unless {@link #commit()} succeeded, so an exception inside try-with-resources publishes nothing. */
    @Override
    public void close() throws IOException {
        abort();
    }

    private void requireOpen() {
        switch (state) {
            case OPEN -> { }
            case BROKEN -> throw new IllegalStateException("an earlier write to " + jsonl.target()
                    + " failed; the writer can only be aborted");
            case DONE -> throw new IllegalStateException("writer for " + jsonl.target() + " is already closed");
        }
    }

    private void discardAll(Throwable primary) {
        for (StagedFile f : List.of(jsonl, ids, idx)) {
            discardInto(f, primary);
        }
    }

    private static void discardInto(StagedFile f, Throwable primary) {
        try {
            f.discard();
        } catch (IOException | RuntimeException e) {
            primary.addSuppressed(e);
        }
    }

    private static Path directoryOf(Path file) {
        return file.toAbsolutePath().getParent();
    }
}
