package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the registry knows about an index.
 *
 * @param name index name
 * @param passages number of passages (0 while empty)
 * @param shards number of graph shards
 * @param model embedding model id
 * @param dimensions embedding dimensions
 * @param metric l2, mips or cosine
 * @param compact CSR graph without padding
 * @param recompute pruned, embeddings recomputed at search
 * @param status "ready", "building", "empty" or "failed"
 */
public record IndexInfo(
    @JsonProperty("name") String name,
    @JsonProperty("passages") long passages,
    @JsonProperty("shards") int shards,
    @JsonProperty("model") String model,
    @JsonProperty("dimensions") int dimensions,
    @JsonProperty("metric") String metric,
    @JsonProperty("compact") boolean compact,
    @JsonProperty("recompute") boolean recompute,
    @JsonProperty("status") String status) {}
