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
 */
public record JobEntry(String id, String index, String state, String stage, long done, long total,
    String error, long createdMillis) implements CborSerializable {

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";

  /** What the REST API shows. */
  public JobStatus toStatus() {
    return new JobStatus(id, index, state, stage, done, total, error);
  }

  /** Whether the job has ended, successfully or not. */
  public boolean finished() {
    return DONE.equals(state) || FAILED.equals(state);
  }

  /** This job in {@code newStage} with progress {@code newDone} of {@code newTotal}. */
  public JobEntry progress(String newStage, long newDone, long newTotal) {
    return new JobEntry(id, index, RUNNING, newStage, newDone, newTotal, null, createdMillis);
  }

  /** This job ended: done, or failed with {@code why}. */
  public JobEntry finish(String why) {
    return new JobEntry(id, index, why == null ? DONE : FAILED, stage, done, total, why, createdMillis);
  }
}
