package io.leann.protocol.passages;

import io.leann.protocol.index.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Rebuilds the offset index of an existing jsonl: to repair a lost or corrupt index, or to import a
 * store written by the Python LEANN, whose {@code .passages.idx} is a pickle.
 *
 * <p>Each non-blank line becomes a row, in file order, with the CRC32C of the line; blank lines (only spaces, tabs and carriage
 * returns) are skipped, as JSON-lines readers do. Lines are not parsed here, so a malformed one
 * surfaces when its row is read. The new index goes to a temp file renamed over {@code idx}, so a
 * store still open on the old index keeps working. Stateless and thread-safe; one rebuild per index
 * at a time.
 */
public final class PassageIndexBuilder {

    private PassageIndexBuilder() {}

    /**
     * Scans {@code jsonl} once, sequentially, and replaces {@code idx} with a matching index.
     *
     * @return the number of rows indexed
     * @throws PassageStoreException    if the jsonl is missing or does not end with a line break
     * @throws IllegalArgumentException if both paths name the same file
     */
    public static long rebuild(Path jsonl, Path idx) throws IOException {
        if (jsonl.toAbsolutePath().normalize().equals(idx.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("jsonl and idx are the same file: " + jsonl);
        }
        InputStream opened;
        try {
            opened = Files.newInputStream(jsonl);
        } catch (NoSuchFileException e) {
            throw new PassageStoreException(jsonl, "missing", e);
        }
        try (InputStream in = opened) {
            StagedFile staged = StagedFile.create(idx);
            try {
                long count = writeIndex(jsonl, in, staged);
                staged.publish();
                AtomicFiles.syncDirectory(idx.toAbsolutePath().getParent());
                return count;
            } catch (IOException | RuntimeException e) {
                try {
                    staged.discard();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** Streams the offsets of {@code in}'s non-blank lines into {@code staged} and seals it. */
    private static long writeIndex(Path jsonl, InputStream in, StagedFile staged) throws IOException {
        OffsetIndex.Writer offsets = new OffsetIndex.Writer(staged.channel());
        CRC32C lineCrc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        long pos = 0;
        long lineStart = 0;
        boolean blank = true;
        byte last = '\n';
        for (int n; (n = in.read(buf)) > 0; pos += n) {
            // The part of the current line inside buf starts here; it is checksummed in one call.
            int from = 0;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '\n') {
                    lineCrc.update(buf, from, i + 1 - from);
                    if (!blank) {
                        offsets.add(lineStart, (int) lineCrc.getValue());
                    }
                    lineCrc.reset();
                    from = i + 1;
                    lineStart = pos + i + 1;
                    blank = true;
                } else if (b != ' ' && b != '\t' && b != '\r') {
                    blank = false;
                }
            }
            lineCrc.update(buf, from, n - from);
            last = buf[n - 1];
        }
        // The store requires this too: a jsonl cut off mid-line must not pass for a complete one.
        if (last != '\n') {
            throw new PassageStoreException(jsonl, "does not end with a line break: the line at byte "
                    + lineStart + " is incomplete (truncated write?)");
        }
        offsets.finish(pos);
        staged.seal();
        return offsets.count();
    }
}
