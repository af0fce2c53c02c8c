package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /indexes/{name}}: how documents added later are embedded and indexed. Null
 * fields take the defaults (local all-MiniLM-L6-v2, cosine, 1 shard, compact, recompute).
 */
public record IndexSettings(
    @JsonProperty("embedding_mode") String embeddingMode,
    @JsonProperty("model") String model,
    @JsonProperty("metric") String metric,
    @JsonProperty("shards") Integer shards,
    @JsonProperty("compact") Boolean compact,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("graph_degree") Integer graphDegree) {}
