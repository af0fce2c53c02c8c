package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Progress of an ingest or delete job. While it runs, {@code done} of {@code total} count the
 * units of the stage: documents while chunking, passages while embedding, shards while building
 * graphs. Once done they count the passages of the index as published, and the outcome fields say
 * what the job changed; the outcome fields are absent before.
 *
 * @param id job id
 * @param index target index
 * @param state "queued", "running", "done" or "failed"
 * @param stage current stage (chunk, embed, graph, publish)
 * @param done units done in the stage
 * @param total units in the stage
 * @param error failure message when failed
 * @param documents documents the job adds (0 for a delete)
 * @param passagesAdded passages the job added, once done
 * @param passagesRemoved passages the job removed, once done
 * @param result what the job changed, in words, once done (e.g. that a filter matched nothing)
 */
public record JobStatus(
    @JsonProperty("id") String id,
    @JsonProperty("index") String index,
    @JsonProperty("state") String state,
    @JsonProperty("stage") String stage,
    @JsonProperty("done") long done,
    @JsonProperty("total") long total,
    @JsonProperty("error") String error,
    @JsonProperty("documents") long documents,
    @JsonProperty("passages_added") @JsonInclude(JsonInclude.Include.NON_NULL) Long passagesAdded,
    @JsonProperty("passages_removed") @JsonInclude(JsonInclude.Include.NON_NULL) Long passagesRemoved,
    @JsonProperty("result") @JsonInclude(JsonInclude.Include.NON_NULL) String result) {

  /** The words for a job that ended having added and removed these many passages. */
  public static String describe(long documents, long added, long removed) {
    if (documents == 0) {
      return removed == 0 ? "the filter matched no passage: nothing changed" : "removed " + removed + " passages";
    }
    return "added " + added + " passages from " + documents + " documents"
        + (removed > 0 ? ", removed " + removed + " passages" : "");
  }
}
