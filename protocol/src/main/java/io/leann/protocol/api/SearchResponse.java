package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Answer to a search. {@code partial} is true when some shards did not answer in time; their ids
 * are in {@code missingShards}, so a short list is never silent.
 *
 * @param results hits, best first
 * @param partial whether some shards are missing from the answer
 * @param missingShards shard numbers that did not answer
 * @param timing milliseconds spent per stage (embed, search, total)
 * @param stats the search's cost summed over shards: nodes visited, PQ and exact distances, hub and
 *     cache hits, embeddings recomputed, recompute requests, microseconds in the graph and in
 *     recompute; null when not measured
 */
public record SearchResponse(
    @JsonProperty("results") List<Hit> results,
    @JsonProperty("partial") boolean partial,
    @JsonProperty("missing_shards") List<Integer> missingShards,
    @JsonProperty("timing_ms") Map<String, Double> timing,
    @JsonProperty("stats") @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Long> stats) {

  public SearchResponse(List<Hit> results, boolean partial, List<Integer> missingShards,
      Map<String, Double> timing) {
    this(results, partial, missingShards, timing, null);
  }

  /**
   * One result.
   *
   * @param id passage id
   * @param score dot product (higher is better) or squared L2 (lower is better), per the index metric
   * @param text passage text
   * @param metadata passage metadata
   */
  public record Hit(
      @JsonProperty("id") String id,
      @JsonProperty("score") float score,
      @JsonProperty("text") String text,
      @JsonProperty("metadata") Map<String, Object> metadata) {}
}
