package io.leann.protocol.api;

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
 */
public record SearchResponse(
    @JsonProperty("results") List<Hit> results,
    @JsonProperty("partial") boolean partial,
    @JsonProperty("missing_shards") List<Integer> missingShards,
    @JsonProperty("timing_ms") Map<String, Double> timing) {

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
