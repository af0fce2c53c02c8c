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
 * @param recomputeBudget two-level search: most embeddings recomputed per query and shard (default 100)
 * @param pruneRatio two-level search: share of the PQ-ranked candidates never recomputed, in [0, 1)
 *     (LEANN's {@code prune_ratio}; default 0)
 * @param batchSize two-level search: nodes per recompute request, 0 for one request (LEANN's
 *     {@code batch_size}; default 0)
 * @param fusion hybrid search's fusion: {@code weighted} (LEANN's min-max weighting by
 *     {@code vector_weight}, the default) or {@code rrf} (reciprocal rank fusion, no weight); given
 *     alone it makes the search hybrid
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SearchRequest(
    @JsonProperty("query") String query,
    @JsonProperty("top_k") Integer topK,
    @JsonProperty("complexity") Integer complexity,
    @JsonProperty("recompute") Boolean recompute,
    @JsonProperty("metadata_filters") Map<String, Object> metadataFilters,
    @JsonProperty("vector_weight") Double vectorWeight,
    @JsonProperty("recompute_budget") Integer recomputeBudget,
    @JsonProperty("prune_ratio") Double pruneRatio,
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("fusion") String fusion) {

  public SearchRequest(String query, Integer topK, Integer complexity, Boolean recompute,
      Map<String, Object> metadataFilters, Double vectorWeight) {
    this(query, topK, complexity, recompute, metadataFilters, vectorWeight, null, null, null);
  }

  /** A request with the default fusion (weighted, when {@code vectorWeight} is given). */
  public SearchRequest(String query, Integer topK, Integer complexity, Boolean recompute,
      Map<String, Object> metadataFilters, Double vectorWeight, Integer recomputeBudget, Double pruneRatio,
      Integer batchSize) {
    this(query, topK, complexity, recompute, metadataFilters, vectorWeight, recomputeBudget, pruneRatio, batchSize,
        null);
  }

  /** Whether the dense results are fused with BM25: a weight or a fusion is given. */
  public boolean hybrid() {
    return vectorWeight != null || fusion != null;
  }

  public int topKOrDefault() {
    return topK == null ? 5 : topK;
  }

  /**
   * Checks the fields a client controls.
   *
   * @throws ApiException 400 naming the bad field
   */
  public SearchRequest validated() {
    RequestChecks.required("query", query);
    RequestChecks.within("top_k", topK, 1, 1000);
    RequestChecks.within("complexity", complexity, 1, 10_000);
    if (vectorWeight != null && (vectorWeight < 0 || vectorWeight > 1)) {
      throw ApiException.badRequest("vector_weight", "must be in [0, 1]");
    }
    if (recomputeBudget != null && (recomputeBudget < 0 || recomputeBudget > 100_000)) {
      throw ApiException.badRequest("recompute_budget", "must be in [0, 100000] (0: no limit)");
    }
    if (pruneRatio != null && !(pruneRatio >= 0 && pruneRatio < 1)) {
      throw ApiException.badRequest("prune_ratio", "must be in [0, 1)");
    }
    if (batchSize != null && (batchSize < 0 || batchSize > 100_000)) {
      throw ApiException.badRequest("batch_size", "must be in [0, 100000] (0: one request)");
    }
    return this;
  }
}
