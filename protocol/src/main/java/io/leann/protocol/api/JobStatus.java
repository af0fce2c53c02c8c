package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Progress of an ingest job.
 *
 * @param id job id
 * @param index target index
 * @param state "queued", "running", "done" or "failed"
 * @param stage current stage (chunk, embed, graph, publish)
 * @param done units done in the stage
 * @param total units in the stage
 * @param error failure message when failed
 */
public record JobStatus(
    @JsonProperty("id") String id,
    @JsonProperty("index") String index,
    @JsonProperty("state") String state,
    @JsonProperty("stage") String stage,
    @JsonProperty("done") long done,
    @JsonProperty("total") long total,
    @JsonProperty("error") String error) {}
