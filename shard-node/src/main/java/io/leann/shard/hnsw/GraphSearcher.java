package io.leann.shard.hnsw;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Searches an {@link HnswGraph}: greedy descent through the upper levels from the entry point, then
 * a best-first beam of width {@code ef} on level 0. Each expansion step gathers the popped node's
 * unvisited neighbours and asks the {@link DistanceSource} for all their distances at once, so the
 * same loop serves stored vectors and recomputed embeddings and both return the same neighbours
 * when the distances agree.
 *
 * <p>Holds all per-search scratch (queues, visited set, batch arrays) and reuses it, so a searcher
 * allocates nothing per query beyond the result. Not thread-safe: keep one per thread, for
 * instance in a {@link ThreadLocal}.
 */
public final class GraphSearcher {
  private final NeighborQueue candidates = new NeighborQueue(256, false);
  private final NeighborQueue results = new NeighborQueue(256, true);
  private final VisitedSet visited = new VisitedSet(0);
  private int[] neighbors = new int[0];
  private int[] batch = new int[0];
  private float[] batchDistances = new float[0];
  private long distanceComputations;
  private long hops;
  private long batches;

  /**
   * Returns the {@code k} nearest nodes found with a level-0 beam of {@code max(ef, k)}, admitting
   * into the results only nodes {@code accept} admits (null: all). Rejected nodes are still
   * expanded, so the search walks through them to the accepted ones and returns {@code k} results
   * whenever {@code k} reachable nodes match; the beam bounds accepted results, so a selective
   * filter makes the search visit more of the graph.
   *
   * <p>With {@code batchTarget > 0}, LEANN's dynamic batching: each step keeps popping candidates
   * that could still improve the results until their unvisited neighbours reach {@code batchTarget},
   * and asks for all their distances at once. A remote source then pays one round trip per batch
   * instead of one per expanded node, for a walk that expands a few nodes more than the strict
   * best-first one. 0 expands one node per request.
   *
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public SearchResult search(HnswGraph graph, DistanceSource source, int k, int ef,
      IntPredicate accept, int batchTarget) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    resetStats();
    int entry = graph.entryPoint();
    if (entry < 0) {
      return new SearchResult(new int[0], new float[0], stats());
    }
    prepare(graph);
    float entryDistance = source.distance(entry);
    distanceComputations++;
    int[] best = {entry};
    float[] bestDistance = {entryDistance};
    descend(graph, source, graph.maxLevel(), 1, best, bestDistance);
    visited.visit(best[0]);
    seed(best[0], bestDistance[0], accept);
    searchLevel(graph, source, Math.max(ef, k), 0, accept, batchTarget);
    return SearchResult.fromMaxQueue(results, k, stats());
  }

  /** Starts the level search at {@code node}: always a candidate, a result only if accepted. */
  void seed(int node, float distance, IntPredicate accept) {
    candidates.add(node, distance);
    if (accept == null || accept.test(node)) {
      results.add(node, distance);
    }
  }

  /** Sizes the scratch for {@code graph}, empties the queues and starts a new visited generation. */
  void prepare(HnswGraph graph) {
    visited.reset(graph.size());
    candidates.clear();
    results.clear();
    int degree = Math.max(graph.maxDegree(0), graph.maxDegree(1));
    if (neighbors.length < degree) {
      neighbors = new int[degree];
      batch = new int[degree];
      batchDistances = new float[degree];
    }
  }

  /**
   * Greedy walk from {@code best[0]} on levels {@code from} down to {@code to}: on each level, move
   * to the closest neighbour while one is closer. Leaves the result in {@code best}.
   */
  void descend(HnswGraph graph, DistanceSource source, int from, int to, int[] best,
      float[] bestDistance) {
    int current = best[0];
    float currentDistance = bestDistance[0];
    for (int level = from; level >= to; level--) {
      boolean moved = true;
      while (moved) {
        moved = false;
        hops++;
        int count = graph.neighbors(level, current, neighbors);
        if (count == 0) {
          break;
        }
        source.distances(neighbors, count, batchDistances);
        distanceComputations += count;
        batches++;
        for (int i = 0; i < count; i++) {
          if (batchDistances[i] < currentDistance) {
            currentDistance = batchDistances[i];
            current = neighbors[i];
            moved = true;
          }
        }
      }
    }
    best[0] = current;
    bestDistance[0] = currentDistance;
  }

  /**
   * Best-first search on {@code level} from the {@link #seed seeded} nodes (which the caller has
   * marked visited); leaves the {@code ef} closest accepted nodes found in {@link #results}.
   */
  void searchLevel(HnswGraph graph, DistanceSource source, int ef, int level, IntPredicate accept) {
    searchLevel(graph, source, ef, level, accept, 0);
  }

  private void searchLevel(HnswGraph graph, DistanceSource source, int ef, int level, IntPredicate accept,
      int batchTarget) {
    while (!candidates.isEmpty()) {
      if (results.size() >= ef && candidates.topDistance() > results.topDistance()) {
        break;
      }
      int pending = 0;
      do {
        int node = candidates.pop();
        hops++;
        int count = graph.neighbors(level, node, neighbors);
        if (pending + count > batch.length) {
          batch = Arrays.copyOf(batch, Math.max(2 * batch.length, pending + count));
          batchDistances = new float[batch.length];
        }
        for (int i = 0; i < count; i++) {
          int n = neighbors[i];
          if (visited.visit(n)) {
            batch[pending++] = n;
          }
        }
      } while (pending < batchTarget && !candidates.isEmpty()
          && (results.size() < ef || candidates.topDistance() <= results.topDistance()));
      if (pending == 0) {
        continue;
      }
      source.distances(batch, pending, batchDistances);
      distanceComputations += pending;
      batches++;
      for (int i = 0; i < pending; i++) {
        float d = batchDistances[i];
        if (results.size() < ef || d < results.topDistance()) {
          candidates.add(batch[i], d);
          if (accept == null || accept.test(batch[i])) {
            results.insertWithOverflow(batch[i], d, ef);
          }
        }
      }
    }
  }

  /** The result queue of the last {@link #searchLevel}: farthest on top. */
  NeighborQueue results() {
    return results;
  }

  VisitedSet visited() {
    return visited;
  }

  void resetStats() {
    distanceComputations = 0;
    hops = 0;
    batches = 0;
  }

  SearchStats stats() {
    return new SearchStats(distanceComputations, hops, batches);
  }
}
