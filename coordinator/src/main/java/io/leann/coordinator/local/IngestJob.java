package io.leann.coordinator.local;

import io.leann.coordinator.build.Progress;
import io.leann.protocol.api.JobStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ingest job of the standalone service: queued, running through the build's stages, then
 * done or failed. Thread-safe: the ingest thread updates it while requests read it.
 *
 * <p>Progress comes from the build pipeline through {@link #progress()}.
 */
final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  private final String id;
  private final String index;
  private final long documents;
  private String state = "queued";
  private String stage;
  private long done;
  private long total;
  private String error;
  private Long passagesAdded;
  private Long passagesRemoved;

  /** A job adding {@code documents} documents, or with 0, deleting passages. */
  IngestJob(String id, String index, long documents) {
    this.id = id;
    this.index = index;
    this.documents = documents;
  }

  String id() {
    return id;
  }

  String index() {
    return index;
  }

  synchronized JobStatus status() {
    String result = passagesAdded == null ? null : JobStatus.describe(documents, passagesAdded, passagesRemoved);
    return new JobStatus(id, index, state, stage, done, total, error, documents, passagesAdded, passagesRemoved,
        result);
  }

  /** Queued or running: its index must not be deleted. */
  synchronized boolean active() {
    return state.equals("queued") || state.equals("running");
  }

  synchronized boolean failed() {
    return state.equals("failed");
  }

  synchronized void running() {
    state = "running";
  }

  /**
   * The new version of the index is committed and searchable; it went from {@code before} to
   * {@code after} passages. An API job only adds or only deletes documents, so the difference is
   * what it added or removed.
   */
  synchronized void finished(long before, long after) {
    state = "done";
    stage = "publish";
    done = after;
    total = after;
    passagesAdded = Math.max(0, after - before);
    passagesRemoved = Math.max(0, before - after);
  }

  synchronized void failed(String message) {
    state = "failed";
    error = message;
  }

  /** A {@link Progress} whose reports update this job, and go to the log. */
  Progress progress() {
    return new Progress() {
      @Override
      public void stage(String name, long total) {
        LOG.info("ingest {} ({}): [{}] started{}", id, index, name, total > 0 ? " (" + total + ")" : "");
        synchronized (IngestJob.this) {
          stage = name;
          done = 0;
          IngestJob.this.total = total;
        }
      }

      @Override
      public void update(long units) {
        synchronized (IngestJob.this) {
          done = units;
        }
      }

      @Override
      public void done(String summary) {
        LOG.info("ingest {} ({}): [{}] {}", id, index, stage, summary);
        synchronized (IngestJob.this) {
          done = Math.max(done, total);
        }
      }

      @Override
      public void note(String line) {
        LOG.info("ingest {} ({}): {}", id, index, line);
      }
    };
  }
}
