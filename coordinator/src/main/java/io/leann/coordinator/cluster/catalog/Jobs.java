package io.leann.coordinator.cluster.catalog;

import io.leann.coordinator.cluster.ReplicatedMap;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.cluster.JobEntry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The cluster's job table: ingest and delete jobs as replicated {@link JobEntry}s, readable from
 * every coordinator; finished jobs are dropped once older than the retention.
 *
 * <p>Thread-safe.
 */
public final class Jobs {
  private final ReplicatedMap<JobEntry> jobs;
  private final Duration retention;

  /**
   * @param jobs the replicated job table
   * @param retention how long finished jobs stay queryable
   */
  public Jobs(ReplicatedMap<JobEntry> jobs, Duration retention) {
    this.jobs = jobs;
    this.retention = retention;
  }

  /** The replicated table, for the job runners that report progress in it. */
  public ReplicatedMap<JobEntry> table() {
    return jobs;
  }

  /** Drops finished jobs older than the retention from the job table. */
  public void expire() {
    long now = System.currentTimeMillis();
    jobs.snapshot().values().stream()
        .filter(j -> j.finished() && now - j.createdMillis() > retention.toMillis())
        .forEach(j -> jobs.remove(j.id()));
  }

  public CompletionStage<JobStatus> job(String id) {
    JobEntry job = id == null ? null : jobs.get(id);
    return job == null ? CompletableFuture.failedFuture(ApiException.notFound("job", id))
        : CompletableFuture.completedFuture(job.toStatus());
  }
}
