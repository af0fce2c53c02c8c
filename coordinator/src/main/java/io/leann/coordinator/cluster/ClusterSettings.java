package io.leann.coordinator.cluster;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the coordinator role, read from {@code leann.coordinator} in
 * {@code application.conf}.
 *
 * @param shardTimeout how long a search waits for each shard with stored vectors before it answers
 *     without it ({@code partial: true})
 * @param recomputeShardTimeout the shortest such deadline of a recompute search, which embeds on the
 *     way: its deadline grows with the work ({@link RecomputeDeadlines})
 * @param recomputeShardTimeoutMax the longest deadline of a recompute search
 * @param recomputePassageCost what one recomputed passage is assumed to cost before an index has answered
 * @param embedTimeout how long one embed worker may take to embed a query before the next is tried
 * @param writeTimeout how long a registry or job write waits for a majority of nodes (the local
 *     write stands either way and spreads by gossip)
 * @param adminTimeout deadline of the admin queries (shard locations, sharding statistics)
 * @param localEmbedFallback embed in this process when no embed worker serves an index's model
 * @param blockingDispatcher config path of the dispatcher BM25, local embedding and index file work
 *     block on
 * @param ingestDispatcher config path of the dispatcher ingest jobs run on, apart from the blocking
 *     one because a job waits for work (local embedding) that runs there
 * @param embedBatch texts per embedding request of an ingest job (kept small so requests and
 *     replies stay well inside Artery's frame size)
 * @param embedParallelism embedding requests an ingest job keeps in flight
 * @param ingestEmbedTimeout how long one embed worker may take for one ingest batch
 * @param maxDocuments documents one {@code POST .../documents} may carry
 * @param graphBuildTimeout how long a shard node may take to build one shard graph
 * @param efConstruction HNSW build beam of the first build of an index created through the API (later builds read the meta)
 * @param graphThreads insertion threads per shard graph build; 0 uses the shard node's cores
 * @param placementInterval how often the placement keeper checks that every shard has a live node
 * @param jobRetention how long finished jobs stay queryable
 * @param hedgeDelayMin shortest wait for a shard replica before a search also asks another one
 * @param hedgeDelayMax longest such wait, and the wait for a replica not yet measured
 * @param replicaSuspectFor how long a replica that failed or missed a deadline is asked last
 * @param replicaProbeAfter how long after its last answer a replica is asked first again (keeps
 *     every replica loaded and measured)
 * @param replicaLocationsRefresh how often a coordinator rereads where replicas are placed
 */
public record ClusterSettings(Duration shardTimeout, Duration recomputeShardTimeout,
    Duration recomputeShardTimeoutMax, Duration recomputePassageCost, Duration embedTimeout, Duration writeTimeout, Duration adminTimeout, boolean localEmbedFallback,
    String blockingDispatcher, String ingestDispatcher, int embedBatch, int embedParallelism,
    Duration ingestEmbedTimeout, int maxDocuments, Duration graphBuildTimeout, int efConstruction,
    int graphThreads, Duration placementInterval, Duration jobRetention, Duration hedgeDelayMin,
    Duration hedgeDelayMax, Duration replicaSuspectFor, Duration replicaProbeAfter,
    Duration replicaLocationsRefresh) {

  public static final String CONFIG_PATH = "leann.coordinator";

  public ClusterSettings {
    if (embedBatch < 1 || embedParallelism < 1 || maxDocuments < 1 || efConstruction < 1
        || graphThreads < 0) {
      throw new IllegalArgumentException("ingest settings must be positive (graph-threads may be 0): "
          + embedBatch + ", " + embedParallelism + ", " + maxDocuments + ", " + efConstruction + ", "
          + graphThreads);
    }
  }

  public static ClusterSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Config ingest = c.getConfig("ingest");
    return new ClusterSettings(
        c.getDuration("shard-timeout"),
        c.getDuration("recompute-shard-timeout"),
        c.getDuration("recompute-shard-timeout-max"),
        c.getDuration("recompute-passage-cost"),
        c.getDuration("embed-timeout"),
        c.getDuration("write-timeout"),
        c.getDuration("admin-timeout"),
        c.getBoolean("local-embed-fallback"),
        CONFIG_PATH + ".blocking-dispatcher",
        CONFIG_PATH + ".ingest-dispatcher",
        ingest.getInt("embed-batch"),
        ingest.getInt("embed-parallelism"),
        ingest.getDuration("embed-timeout"),
        ingest.getInt("max-documents"),
        ingest.getDuration("graph-build-timeout"),
        ingest.getInt("ef-construction"),
        ingest.getInt("graph-threads"),
        c.getDuration("placement.check-interval"),
        c.getDuration("jobs.retention"),
        c.getDuration("replicas.hedge-delay-min"),
        c.getDuration("replicas.hedge-delay-max"),
        c.getDuration("replicas.suspect-for"),
        c.getDuration("replicas.probe-after"),
        c.getDuration("replicas.locations-refresh"));
  }
}
