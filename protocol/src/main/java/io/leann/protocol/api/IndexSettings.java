package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Body of {@code PUT /indexes/{name}}: how documents added later are embedded and indexed. Null
 * fields take the defaults (local all-MiniLM-L6-v2, cosine, 1 shard, compact, recompute, the
 * {@code standard} text analyzer).
 *
 * @param replicas the replication factor: copies of each shard on distinct shard nodes (null: 2
 *     when the cluster has at least 2 shard nodes, else 1); a standalone server has one copy
 * @param textAnalyzer how the keyword index cuts text into words: standard, cjk or exact
 */
public record IndexSettings(
    @JsonProperty("embedding_mode") String embeddingMode,
    @JsonProperty("model") String model,
    @JsonProperty("metric") String metric,
    @JsonProperty("shards") Integer shards,
    @JsonProperty("compact") Boolean compact,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("graph_degree") Integer graphDegree,
    @JsonProperty("replicas") Integer replicas,
    @JsonProperty("text_analyzer") String textAnalyzer) {

  /** Settings with the default replication factor and text analyzer. */
  public IndexSettings(String embeddingMode, String model, String metric, Integer shards, Boolean compact,
      Boolean recompute, Integer graphDegree) {
    this(embeddingMode, model, metric, shards, compact, recompute, graphDegree, null, null);
  }
}
