package io.leann.protocol.cluster;

import io.leann.protocol.api.JobStatus;

/**
 * An ingest job as the cluster-wide job table records it, so that any coordinator can answer
 * {@code GET} on a job that another one runs.
 *
 * @param id job id
 * @param index target index
 * @param state queued, running, done or failed
 * @param stage current stage (chunk, embed, graph, publish)
 * @param done units done in the stage
 * @param total units in the stage
 * @param error failure message when failed, else null
 * @param createdMillis wall-clock creation time, for expiring finished jobs
 * @param documents documents the job adds (0 for a delete)
 * @param passagesAdded passages added, once done, else null
 * @param passagesRemoved passages removed, once done, else null
 */
public record JobEntry(String id, String index, String state, String stage, long done, long total,
    String error, long createdMillis, long documents, Long passagesAdded, Long passagesRemoved)
    implements CborSerializable {

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  /** A queued job that adds {@code documents} documents (0: a delete). */
  public static JobEntry queued(String id, String index, long documents, long createdMillis) {
    return new JobEntry(id, index, QUEUED, QUEUED, 0, documents, null, createdMillis, documents, null, null);
  }

  /** What the REST API shows. */
  public JobStatus toStatus() {
    String result = passagesAdded == null ? null
        : JobStatus.describe(documents, passagesAdded, passagesRemoved);
    return new JobStatus(id, index, state, stage, done, total, error, documents, passagesAdded, passagesRemoved,
        result);
  }

  /** Whether the job has ended, successfully or not. */
  public boolean finished() {
    return DONE.equals(state) || FAILED.equals(state);
  }

  /** This job in {@code newStage} with progress {@code newDone} of {@code newTotal}. */
  public JobEntry progress(String newStage, long newDone, long newTotal) {
    return new JobEntry(id, index, RUNNING, newStage, newDone, newTotal, null, createdMillis, documents, null, null);
  }

  /** This job failed with {@code why}. */
  public JobEntry fail(String why) {
    return new JobEntry(id, index, FAILED, stage, done, total, why, createdMillis, documents, null, null);
  }

  /**
   * This job ended: the index has {@code passages} passages, {@code added} new, {@code removed} gone
   * (null when not known: a job a stopped coordinator committed without logging its end).
   */
  public JobEntry done(long passages, Long added, Long removed) {
    return new JobEntry(id, index, DONE, "publish", passages, passages, null, createdMillis, documents, added,
        removed);
  }
}
