package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where one index shard should run and where it runs.
 *
 * @param index index name
 * @param shard shard number
 * @param desiredNode node address the placement asks for, or null
 * @param actualNode node address hosting it now, or null when not started
 * @param reason why it is placed there, for people (additive: older clients ignore it)
 */
public record ShardPlacement(
    @JsonProperty("index") String index,
    @JsonProperty("shard") int shard,
    @JsonProperty("desired_node") String desiredNode,
    @JsonProperty("actual_node") String actualNode,
    @JsonProperty("reason") String reason) {}
