package io.leann.coordinator.build;

import io.leann.coordinator.ingest.LoadReport;

/**
 * What a build did.
 *
 * @param unchanged nothing changed since the previous build, so nothing was written
 * @param passages passages in the index
 * @param embedded chunks embedded by this build
 * @param reused chunks whose passages and embeddings were taken from the previous build
 * @param files source files indexed
 * @param load what the loader read and skipped
 * @param generation the generation now committed
 */
public record BuildOutcome(boolean unchanged, long passages, long embedded, long reused, int files,
    LoadReport load, int generation) {}
