package io.leann.protocol.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * What the HTTP API serves, independent of where it runs: one process with the local engine, or a
 * Pekko cluster that scatters to shard entities. Every method completes exceptionally with an
 * {@link ApiException} for client-visible failures; anything else becomes a 500.
 */
public interface LeannService {

  CompletionStage<SearchResponse> search(String index, SearchRequest request);

  CompletionStage<List<IndexInfo>> indexes();

  CompletionStage<IndexInfo> index(String name);

  CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings);

  CompletionStage<JobStatus> addDocuments(String name, List<DocumentIn> documents);

  /**
   * Deletes, as a job like {@link #addDocuments}, the documents whose own metadata passes
   * {@code metadataFilters}. A filter that matches every document is refused (delete the index
   * instead); one that matches none ends the job without a new version of the index.
   */
  CompletionStage<JobStatus> deleteDocuments(String name, Map<String, Object> metadataFilters);

  CompletionStage<JobStatus> job(String id);

  CompletionStage<Void> deleteIndex(String name);

  CompletionStage<List<NodeInfo>> nodes();

  CompletionStage<List<ShardPlacement>> shards();

  /** Moves replica 0 of a shard; see {@link #moveShard(String, int, int, String)}. */
  default CompletionStage<ShardPlacement> moveShard(String index, int shard, String node) {
    return moveShard(index, shard, 0, node);
  }

  /** Pins replica {@code replica} of shard {@code shard} of {@code index} to {@code node}. */
  CompletionStage<ShardPlacement> moveShard(String index, int shard, int replica, String node);

  /**
   * Sets the replication factor of {@code index} (copies of each shard, on distinct shard nodes)
   * and places or stops replicas to match.
   *
   * @return the placements of the index's replicas afterwards
   */
  CompletionStage<List<ShardPlacement>> setReplicas(String index, Integer replicas);

  /** The members, the replicas each runs, and what is moving or unplaced. */
  CompletionStage<ClusterView> cluster();

  CompletionStage<List<ShardPlacement>> rebalance(String index);

  /** Liveness and a short status line for {@code GET /health}. */
  CompletionStage<String> health();
}
