package io.leann.coordinator.local;

import io.leann.coordinator.build.IngestLog;
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
  /** The job's number in its index's {@link IngestLog}. */
  private final long seq;
  private final long created;
  private String state = "queued";
  private String stage;
  private long done;
  private long total;
  private String error;
  private Long passagesAdded;
  private Long passagesRemoved;

  /**
   * A queued job adding {@code documents} documents, or with 0, deleting passages.
   *
   * @param seq its number in the index's {@link IngestLog}
   * @param created when it was accepted, wall-clock milliseconds
   */
  IngestJob(String id, String index, long documents, long seq, long created) {
    this.id = id;
    this.index = index;
    this.documents = documents;
    this.seq = seq;
    this.created = created;
  }

  /** A job of {@code index} that ended before this process started, as its log records it. */
  static IngestJob ended(String index, IngestLog.End end) {
    IngestJob job = new IngestJob(end.job(), index, end.documents(), end.seq(), end.created());
    job.ended(end);
    return job;
  }

  /**
   * The end record of this job with the given outcome.
   *
   * @param passages passages of the index after it, when done
   * @param added passages it added; null when not known (a job committed by a process that stopped
   *     before it logged the job's end)
   * @param removed passages it removed; null when not known
   */
  IngestLog.End end(String endState, String why, Long passages, Long added, Long removed) {
    return new IngestLog.End(seq, id, created, documents, endState, why, passages, added, removed);
  }

  /** The job ended as {@code end} says: done (the new version is committed and searchable) or failed. */
  synchronized void ended(IngestLog.End end) {
    state = end.state();
    stage = "publish";
    error = end.error();
    done = end.passages() == null ? done : end.passages();
    total = end.passages() == null ? total : end.passages();
    passagesAdded = end.added();
    passagesRemoved = end.removed();
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
