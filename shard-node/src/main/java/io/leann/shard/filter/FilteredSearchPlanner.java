package io.leann.shard.filter;

import io.leann.protocol.Recomputer;
import io.leann.shard.hnsw.DistanceSource;
import io.leann.shard.hnsw.NeighborQueue;
import io.leann.shard.hnsw.SearchResult;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import java.util.BitSet;

/**
 * Chooses how to search a shard under a filter, given the rows the filter admits
 * ({@link MetadataColumns#matching}), and runs the search.
 *
 * <p>Cost model, in distance evaluations (in recompute mode each one is an embedding computed by a
 * worker, the cost that dominates). A graph search admitting a fraction {@code s = m / n} of the
 * {@code n} nodes must meet about {@code ef / s} nodes to fill its beam with {@code ef} matches; we
 * measured {@code 1.3..2.4 * max(ef, k) / s} evaluations for {@code s <= 1/10} (4 000 and 20 000
 * clustered points, M = 16 and 32, ef = 16..128), hence {@value #GRAPH_COST_FACTOR}
 * {@code * max(ef, k) * n / m}. An exact scan of the {@code m} matches costs {@code m}. The two meet
 * at {@code m = sqrt(2 * max(ef, k) * n)}, the threshold below which the planner scans: 1 000 000 rows
 * at {@code ef = 64} go exact up to about 11 300 matches (1.1%), 20 000 rows up to 1 600 (8%). Below
 * it exact search is also the more accurate choice: it returns the true nearest matches, where a
 * graph walk through a sparse filter may miss some.
 *
 * <p>The exact path needs distances for arbitrary rows: it takes them from the index's distance
 * source (the recomputer, or the stored vectors), in batches of {@value #EXACT_BATCH}.
 *
 * <p>Stateless and thread-safe (as far as the recomputer is).
 */
public final class FilteredSearchPlanner {
  /** Rows per distance request on the exact path: one recompute round trip each. */
  static final int EXACT_BATCH = 256;
  /** Distance evaluations of a filtered graph search per unit of {@code max(ef, k) / s}. */
  static final int GRAPH_COST_FACTOR = 2;

  /** How a filtered search runs. */
  public enum Strategy {
    /** Nothing matches: no search at all. */
    NONE,
    /** Score every matching row and keep the best. */
    EXACT,
    /** Search the graph, admitting only matching nodes into the results. */
    GRAPH
  }

  private FilteredSearchPlanner() {}

  /** The largest match count for which exact search is chosen. */
  public static long exactThreshold(int size, int k, int ef) {
    return Math.max(k, (long) Math.sqrt((double) GRAPH_COST_FACTOR * Math.max(ef, k) * size));
  }

  /** The strategy for {@code matches} matching rows out of {@code size}. */
  public static Strategy choose(int matches, int size, int k, int ef) {
    if (matches == 0) {
      return Strategy.NONE;
    }
    return matches <= exactThreshold(size, k, ef) ? Strategy.EXACT : Strategy.GRAPH;
  }

  /**
   * The {@code k} nearest matching rows to {@code query}, closest first, in engine distances
   * (lower is closer; convert with {@code Metric.toScore}).
   *
   * @param matches rows (== node ids) the filter admits; bits past {@code index.size()} are an error
   * @param recomputer distances for an index without vectors, and for the exact path; null to use
   *     stored vectors
   * @throws IllegalArgumentException if {@code k < 1}, the query has the wrong dimensions, or
   *     {@code matches} names rows the index does not have
   */
  public static SearchResult search(SearchableIndex index, float[] query, int k, int ef, BitSet matches,
      Recomputer recomputer) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    if (query.length != index.dims()) {
      throw new IllegalArgumentException(
          "query has " + query.length + " dimensions, index has " + index.dims());
    }
    int size = index.size();
    if (matches.length() > size) {
      throw new IllegalArgumentException("the filter admits row " + (matches.length() - 1)
          + " but the index has " + size + " nodes");
    }
    int count = matches.cardinality();
    Strategy strategy = choose(count, size, k, ef);
    if (strategy == Strategy.NONE) {
      return new SearchResult(new int[0], new float[0], new SearchStats(0, 0, 0));
    }
    if (strategy == Strategy.EXACT && (recomputer != null || index.hasVectors())) {
      return exact(index.distanceSource(query, recomputer), matches, k);
    }
    return index.search(query, k, ef, count == size ? null : matches::get, recomputer);
  }

  /**
   * The {@code k} nearest of the {@code matches} rows by {@code source}'s distances, closest first
   * (ties on the lower row), asking for distances in batches of {@value #EXACT_BATCH} rows.
   */
  public static SearchResult exact(DistanceSource source, BitSet matches, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    NeighborQueue best = new NeighborQueue(Math.min(k, EXACT_BATCH) + 1, true);
    int[] rows = new int[EXACT_BATCH];
    float[] distances = new float[EXACT_BATCH];
    long evaluated = 0;
    long batches = 0;
    int row = matches.nextSetBit(0);
    while (row >= 0) {
      int count = 0;
      while (row >= 0 && count < EXACT_BATCH) {
        rows[count++] = row;
        row = row == Integer.MAX_VALUE ? -1 : matches.nextSetBit(row + 1);
      }
      source.distances(rows, count, distances);
      evaluated += count;
      batches++;
      for (int i = 0; i < count; i++) {
        best.insertWithOverflow(rows[i], distances[i], k);
      }
    }
    int n = best.size();
    int[] nodes = new int[n];
    float[] out = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      out[i] = best.topDistance();
      nodes[i] = best.pop();
    }
    return new SearchResult(nodes, out, new SearchStats(evaluated, 0, batches));
  }
}
