package io.leann.protocol.passages;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A passage-store file is missing, corrupt or inconsistent with its siblings. The message always
 * starts with the offending file, so an operator can tell which of an index's files to repair.
 */
public final class PassageStoreException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public PassageStoreException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public PassageStoreException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file the problem was found in. */
    public Path file() {
        return file;
    }
}
