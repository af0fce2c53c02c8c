package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Body of {@code POST /indexes/{name}/search}.
 *
 * @param query query text (required, non-blank)
 * @param topK results wanted (default 5)
 * @param complexity search beam, ef (default: the index's recorded complexity, else 64)
 * @param recompute recompute embeddings of visited nodes; null lets the index decide
 * @param metadataFilters LEANN filter shape {@code {"field": {"op": value}}}, or null
 * @param vectorWeight hybrid dense weight in [0, 1]; null for dense-only search
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SearchRequest(
    @JsonProperty("query") String query,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("complexity") Integer complexity,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("metadata_filters") Map<String, Object> metadataFilters,
    @JsonProperty("vector_weight") Double vectorWeight) {

  public int topKOrDefault() {
    return topK == null ? 5 : topK;
  }

  /**
   * Checks the fields a client controls.
   *
   * @throws ApiException 400 naming the bad field
   */
  public SearchRequest validated() {
    if (query == null || query.isBlank()) {
      throw ApiException.badRequest("query", "is required and must not be blank");
    }
    if (topK != null && (topK < 1 || topK > 1000)) {
      throw ApiException.badRequest("top_k", "must be in [1, 1000]");
    }
    if (complexity != null && (complexity < 1 || complexity > 10_000)) {
      throw ApiException.badRequest("complexity", "must be in [1, 10000]");
    }
    if (vectorWeight != null && (vectorWeight < 0 || vectorWeight > 1)) {
      throw ApiException.badRequest("vector_weight", "must be in [0, 1]");
    }
    return this;
  }
}
