package io.leann.protocol.passages;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file written under a temporary name next to its target ({@code target + ".tmp"}) and published
 * by an atomic rename, so readers see either the old file or the complete new one.
 *
 * <p>The temporary name is fixed rather than random so that the next writer overwrites what a
 * crashed one left behind; as a consequence only one writer per target may run at a time.
 * Not thread-safe.
 */
final class StagedFile {

    private final Path target;
    private final Path temp;
    private final FileChannel channel;

    private StagedFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    static StagedFile create(Path target) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return new StagedFile(target, temp, channel);
    }

    FileChannel channel() {
        return channel;
    }

    Path target() {
        return target;
    }

    /** Forces the content to the device and closes the channel: after this the temp file is durable. */
    void seal() throws IOException {
        try (channel) {
            channel.force(true);
        }
    }

    /** Renames the sealed temp file over the target. The caller syncs the directory afterwards. */
    void publish() throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Closes and deletes the temp file; harmless after {@link #seal()} or {@link #publish()}. */
    void discard() throws IOException {
        try (channel) {
            Files.deleteIfExists(temp);
        }
    }
}
