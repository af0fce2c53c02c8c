package io.leann.protocol.passages;

import io.leann.protocol.index.IndexFormatException;
import java.nio.file.Path;

/**
 * A passage-store file is missing, corrupt or inconsistent with its siblings. The message always
 * starts with the offending file, so an operator can tell which of an index's files to repair.
 */
public final class PassageStoreException extends IndexFormatException {

    private static final long serialVersionUID = 1L;

    public PassageStoreException(Path file, String problem) {
        super(file, problem);
    }

    public PassageStoreException(Path file, String problem, Throwable cause) {
        super(file, problem, cause);
    }
}
