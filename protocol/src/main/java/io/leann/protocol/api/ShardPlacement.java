package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where one replica of an index shard should run and where it runs.
 *
 * @param index index name
 * @param shard shard number
 * @param replica replica number: 0 for the first copy, which every index has
 * @param desiredNode node address the placement asks for, or null
 * @param actualNode node address hosting it now, or null when not started
 * @param reason why it is placed there, for people (additive: older clients ignore it)
 */
public record ShardPlacement(
    @JsonProperty("index") String index,
    @JsonProperty("shard") int shard,
    @JsonProperty("replica") int replica,
    @JsonProperty("desired_node") String desiredNode,
    @JsonProperty("actual_node") String actualNode,
    @JsonProperty("reason") String reason) {

  /** Replica 0 of a shard. */
  public ShardPlacement(String index, int shard, String desiredNode, String actualNode, String reason) {
    this(index, shard, 0, desiredNode, actualNode, reason);
  }
}
