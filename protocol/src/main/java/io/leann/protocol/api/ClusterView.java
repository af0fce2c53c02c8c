package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code GET /admin/cluster}: the members with the shard replicas each one runs, the replication of
 * each index, and the replicas that are moving or not running where they should.
 *
 * @param nodes every cluster member
 * @param indexes replication of each published index
 * @param moving replicas running on one node while placed on another (a handoff under way)
 * @param unplaced replicas with no location on an Up shard node (their node died, or too few nodes)
 */
public record ClusterView(
    @JsonProperty("nodes") List<Node> nodes,
    @JsonProperty("indexes") List<IndexReplicas> indexes,
    @JsonProperty("moving") List<ShardPlacement> moving,
    @JsonProperty("unplaced") List<ShardPlacement> unplaced) {

  /**
   * A member and the replicas it hosts.
   *
   * @param shards the replicas started on this node
   */
  public record Node(
      @JsonProperty("address") String address,
      @JsonProperty("roles") List<String> roles,
      @JsonProperty("status") String status,
      @JsonProperty("shards") List<Replica> shards) {}

  /**
   * A started shard replica.
   *
   * @param state {@code loaded} (serving {@code generation}), {@code loading} (reading its files;
   *     searches wait), {@code idle} (started, not loaded until its first search) or
   *     {@code unknown} (did not answer the admin query in time)
   * @param generation the generation it serves, or null
   */
  public record Replica(
      @JsonProperty("index") String index,
      @JsonProperty("shard") int shard,
      @JsonProperty("replica") int replica,
      @JsonProperty("state") String state,
      @JsonProperty("generation") String generation) {}

  /**
   * @param replicas the replication factor set for the index, or null for the default
   * @param copies the replicas of each shard that run now: the factor, at most one per shard node
   */
  public record IndexReplicas(
      @JsonProperty("index") String index,
      @JsonProperty("shards") int shards,
      @JsonProperty("replicas") Integer replicas,
      @JsonProperty("copies") int copies) {}
}
