package io.leann.coordinator.ingest;

import java.nio.file.Path;

/**
 * A file or directory that could not be loaded, and why. Failures are reported, never thrown:
 * one bad file does not stop a build.
 *
 * @param path   absolute path of the file or directory
 * @param reason human-readable cause, e.g. {@code "encrypted PDF (password required)"}
 */
public record LoadFailure(Path path, String reason) {
}
