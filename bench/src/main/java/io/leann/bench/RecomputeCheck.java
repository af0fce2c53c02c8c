package io.leann.bench;

import io.leann.protocol.Recomputer;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import java.util.Arrays;

/**
 * Recompute mode against stored-vector mode on the same index at one ef: the recompute search
 * must find the same neighbours (it sees the same distances, only fetched per expansion step), and
 * its work per query, embeddings recomputed and requests made, is what a LEANN deployment pays
 * its embedding workers. Not timed: the in-process recomputer says nothing about remote cost.
 *
 * @param ef beam width used
 * @param storedRecall recall@k with stored vectors
 * @param recomputeRecall recall@k through the recomputer
 * @param identicalShare share of queries whose result ids were identical in both modes
 * @param storedDistancesPerQuery distances the stored-vector search computed per query
 * @param recomputedPerQuery embeddings recomputed per query
 * @param requestsPerQuery recompute requests (batches) per query
 */
record RecomputeCheck(int ef, double storedRecall, double recomputeRecall, double identicalShare,
    double storedDistancesPerQuery, double recomputedPerQuery, double requestsPerQuery) {

  static RecomputeCheck run(HnswIndex index, Recomputer recomputer, float[][] queries,
      int[][] truth, int k, int ef) {
    int[][] stored = new int[queries.length][];
    int[][] recomputed = new int[queries.length][];
    long identical = 0;
    long storedDistances = 0;
    long recomputedNodes = 0;
    long requests = 0;
    for (int q = 0; q < queries.length; q++) {
      SearchResult s = Plans.stored(index, queries[q], k, ef);
      SearchResult r = Plans.recomputed(index, queries[q], k, ef, recomputer);
      stored[q] = s.nodes();
      recomputed[q] = r.nodes();
      if (Arrays.equals(s.nodes(), r.nodes())) {
        identical++;
      }
      storedDistances += s.stats().distanceComputations();
      SearchStats stats = r.stats();
      recomputedNodes += stats.distanceComputations();
      requests += stats.batches();
    }
    double n = queries.length;
    return new RecomputeCheck(ef, GroundTruth.recall(stored, truth, k),
        GroundTruth.recall(recomputed, truth, k), identical / n, storedDistances / n,
        recomputedNodes / n, requests / n);
  }
}
