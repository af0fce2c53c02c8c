package io.leann.shard.search;

import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import java.util.BitSet;

/**
 * How one search of one shard runs: the distances it ranks by ({@link Scorer}), how many results,
 * the beam, the rows a metadata filter admits and whether they are scanned exactly instead of
 * walked, and the two-level knobs (including the recompute batch size). {@link #choose} is the one
 * place that decides this from what the index holds and what the caller asked for; {@link ShardSearch}
 * runs a plan.
 *
 * <p>Filter cost model, in distance evaluations (in recompute mode each one is an embedding computed
 * by a worker, the cost that dominates). A graph search admitting a fraction {@code s = m / n} of the
 * {@code n} nodes must meet about {@code ef / s} nodes to fill its beam with {@code ef} matches; we
 * measured {@code 1.3..2.4 * max(ef, k) / s} evaluations for {@code s <= 1/10} (4 000 and 20 000
 * clustered points, M = 16 and 32, ef = 16..128), hence {@value #GRAPH_COST_FACTOR}
 * {@code * max(ef, k) * n / m}. An exact scan of the {@code m} matches costs {@code m}. The two meet at
 * {@code m = sqrt(2 * max(ef, k) * n)}, the threshold below which the plan scans: 1 000 000 rows at
 * {@code ef = 64} go exact up to about 11 300 matches (1.1%), 20 000 rows up to 1 600 (8%). Below it
 * exact search is also the more accurate choice: it returns the true nearest matches, where a graph
 * walk through a sparse filter may miss some. A two-level or PQ-only search applies the filter during
 * its PQ walk instead, whose distances cost nothing remote.
 *
 * @param scorer the distances the search ranks by
 * @param k results wanted, at least 1
 * @param ef level-0 beam width; the walk uses {@code max(ef, k)}
 * @param filter rows (== node ids) the metadata filter admits, or null for all
 * @param exactScan score every admitted row instead of walking the graph (needs a filter and exact
 *     distances: {@link Scorer#STORED} or {@link Scorer#RECOMPUTE})
 * @param twoLevel knobs of a {@link Scorer#TWO_LEVEL} search; its beam also widens a {@link Scorer#PQ}
 *     walk and its batch size is the dynamic batch target of a {@link Scorer#RECOMPUTE} walk
 */
public record SearchPlan(Scorer scorer, int k, int ef, BitSet filter, boolean exactScan, TwoLevelOptions twoLevel) {
  /** Distance evaluations of a filtered graph search per unit of {@code max(ef, k) / s}. */
  static final int GRAPH_COST_FACTOR = 2;

  /** The distances a search ranks by. */
  public enum Scorer {
    /** Exact distances to the stored vectors. */
    STORED,
    /** PQ distances alone: the compressed mode of an index without vectors when nothing may be recomputed. */
    PQ,
    /** Exact distances recomputed for every node the walk meets (an index without PQ codes). */
    RECOMPUTE,
    /**
     * LEANN's two-level search: a wide walk on PQ distances, then the most promising candidates ranked
     * by exact distances from hubs, the cache or recomputed embeddings.
     */
    TWO_LEVEL;

    /** Whether this scorer asks embed workers (or the in-process model) for anything. */
    public boolean recomputes() {
      return this == RECOMPUTE || this == TWO_LEVEL;
    }
  }

  public SearchPlan {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    if (ef < 0) {
      throw new IllegalArgumentException("ef must not be negative: " + ef);
    }
    if (exactScan && (filter == null || !(scorer == Scorer.STORED || scorer == Scorer.RECOMPUTE))) {
      throw new IllegalArgumentException("an exact scan needs a filter and exact distances, not " + scorer);
    }
    if (twoLevel == null) {
      twoLevel = TwoLevelOptions.defaults();
    }
  }

  /** A plan of {@code scorer} over all rows, with the default two-level knobs. */
  public static SearchPlan of(Scorer scorer, int k, int ef) {
    return new SearchPlan(scorer, k, ef, null, false, null);
  }

  /**
   * The plan for a search of {@code index}. With {@code recompute}: the two-level search when the
   * index has PQ codes, else the recompute walk (or an exact scan of a selective filter's matches).
   * Without: the stored vectors (walked, or scanned for a selective filter), or PQ alone for an index
   * that has codes but no vectors.
   *
   * @param filter rows the metadata filter admits (bits past {@code index.size()} are an error), or null
   * @param twoLevel two-level knobs, or null for the defaults
   * @throws IllegalArgumentException if {@code k < 1} or the filter names rows the index does not have
   * @throws IllegalStateException if no recompute is asked for and the index has neither vectors nor PQ codes
   */
  public static SearchPlan choose(SearchableIndex index, boolean recompute, int k, int ef, BitSet filter,
      TwoLevelOptions twoLevel) {
    int size = index.size();
    if (filter != null && filter.length() > size) {
      throw new IllegalArgumentException("the filter admits row " + (filter.length() - 1)
          + " but the index has " + size + " nodes");
    }
    boolean pq = index.pq() != null;
    Scorer scorer;
    if (recompute) {
      scorer = pq ? Scorer.TWO_LEVEL : Scorer.RECOMPUTE;
    } else if (index.hasVectors()) {
      scorer = Scorer.STORED;
    } else if (pq) {
      scorer = Scorer.PQ;
    } else {
      throw new IllegalStateException("this index stores neither vectors nor PQ codes (it was built for "
          + "recomputation); search it with recompute on");
    }
    int matches = filter == null ? size : filter.cardinality();
    BitSet admitted = matches == size ? null : filter;
    boolean exact = admitted != null && (scorer == Scorer.STORED || scorer == Scorer.RECOMPUTE)
        && matches <= exactThreshold(size, k, ef);
    return new SearchPlan(scorer, k, ef, admitted, exact, twoLevel);
  }

  /** The largest match count for which a filtered search scans the matches exactly. */
  public static long exactThreshold(int size, int k, int ef) {
    return Math.max(k, (long) Math.sqrt((double) GRAPH_COST_FACTOR * Math.max(ef, k) * size));
  }

  /** Whether the filter admits no row at all, so there is nothing to search. */
  public boolean admitsNothing() {
    return filter != null && filter.isEmpty();
  }
}
