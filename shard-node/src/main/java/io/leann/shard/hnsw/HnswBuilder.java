package io.leann.shard.hnsw;

import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Builds an HNSW graph by inserting every vector (Malkov and Yashunin, 2018). Levels are drawn
 * up front from the seed, so they do not depend on thread scheduling; with one thread nodes are
 * inserted in id order and the graph is reproducible bit for bit.
 *
 * <p>Insertion: greedy descent to the node's level, then on each of its levels a beam search of
 * width {@code efConstruction}, the neighbour-selection heuristic (keep a candidate only if it is
 * closer to the new node than to every neighbour kept so far) down to {@code M} links, and reverse
 * links whose overflow is shrunk with the same heuristic down to the level's cap ({@code 2M} on
 * level 0, {@code M} above).
 *
 * <p>Concurrency: threads take node ids from a shared counter; each list has its own lock (see
 * {@link OnHeapGraph}); a node that raises the graph's top level holds a global lock for its whole
 * insertion so the entry point only ever moves to a fully linked node.
 */
public final class HnswBuilder {
  private static final int MAX_LEVEL = 32;

  private final VectorValues vectors;
  private final HnswParams params;
  private final DiversityHeuristic heuristic;
  private final Similarity similarity;
  private final OnHeapGraph graph;
  private final Object entryLock = new Object();

  private HnswBuilder(VectorValues vectors, HnswParams params) {
    this.vectors = vectors;
    this.params = params;
    this.heuristic = new DiversityHeuristic(vectors, params.metric());
    this.similarity = Similarity.of(params.metric());
    this.graph = new OnHeapGraph(drawLevels(vectors.size(), params), params.m(), params.m0());
  }

  /** Builds the graph over all of {@code vectors}; cosine expects unit vectors. */
  public static OnHeapGraph build(VectorValues vectors, HnswParams params) {
    return build(vectors, params, n -> {});
  }

  /**
   * Builds the graph, calling {@code onInserted} with the running count of inserted nodes (from
   * the inserting threads, so it must be thread-safe and cheap).
   */
  public static OnHeapGraph build(VectorValues vectors, HnswParams params, IntConsumer onInserted) {
    HnswBuilder builder = new HnswBuilder(vectors, params);
    builder.run(onInserted);
    return builder.graph;
  }

  static int[] drawLevels(int n, HnswParams params) {
    SplittableRandom random = new SplittableRandom(params.seed());
    double ml = params.levelMultiplier();
    int[] levels = new int[n];
    for (int i = 0; i < n; i++) {
      double u = 1.0 - random.nextDouble(); // in (0, 1], so the log is finite
      levels[i] = (int) Math.min(MAX_LEVEL, Math.floor(-Math.log(u) * ml));
    }
    return levels;
  }

  private void run(IntConsumer onInserted) {
    int n = vectors.size();
    if (n == 0) {
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    int threads = Math.min(params.threads(), n);
    if (threads == 1) {
      Inserter inserter = new Inserter();
      for (int node = 0; node < n; node++) {
        inserter.insert(node);
        onInserted.accept(node + 1);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "hnsw-build");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          Inserter inserter = new Inserter();
          for (int node = next.getAndIncrement(); node < n; node = next.getAndIncrement()) {
            inserter.insert(node);
            onInserted.accept(done.incrementAndGet());
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("HNSW build interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("HNSW build failed", cause);
    } finally {
      pool.shutdown();
    }
  }

  private float distanceBetween(int a, int b) {
    return similarity.distanceBetween(vectors, a, b);
  }

  /** One inserting thread's scratch. */
  private final class Inserter {
    private final GraphSearcher searcher = new GraphSearcher();
    private final StoredVectorDistances source = new StoredVectorDistances(vectors, params.metric());
    private final float[] query = new float[vectors.dims()];
    private int[] ids = new int[params.efConstruction() + 1];
    private float[] dists = new float[params.efConstruction() + 1];
    private final int[] overflowIds = new int[params.m0() + 1];
    private final float[] overflowDists = new float[params.m0() + 1];
    private final int[] best = new int[1];
    private final float[] bestDistance = new float[1];

    void insert(int node) {
      int level = graph.level(node);
      OnHeapGraph.Entry entry = graph.entry();
      if (entry.node() < 0) {
        synchronized (entryLock) {
          if (graph.entry().node() < 0) {
            graph.setEntry(node, level);
            return;
          }
        }
        entry = graph.entry();
      }
      if (level > entry.level()) {
        synchronized (entryLock) {
          entry = graph.entry();
          link(node, level, entry);
          if (level > entry.level()) {
            graph.setEntry(node, level);
          }
        }
      } else {
        link(node, level, entry);
      }
    }

    private void link(int node, int level, OnHeapGraph.Entry entry) {
      vectors.copyTo(node, query);
      source.setQuery(query);
      searcher.prepare(graph);
      best[0] = entry.node();
      bestDistance[0] = source.distance(entry.node());
      if (entry.level() > level) {
        searcher.descend(graph, source, entry.level(), level + 1, best, bestDistance);
      }
      for (int l = Math.min(level, entry.level()); l >= 0; l--) {
        searcher.prepare(graph);
        NeighborQueue results = searcher.results();
        searcher.visited().visit(best[0]);
        searcher.visited().visit(node);
        searcher.seed(best[0], bestDistance[0], null);
        searcher.searchLevel(graph, source, params.efConstruction(), l, null);
        int count = drainClosestFirst(results);
        best[0] = ids[0];
        bestDistance[0] = dists[0];
        int kept = heuristic.select(ids, dists, count, params.m());
        graph.setNeighbors(l, node, ids, kept);
        for (int i = 0; i < kept; i++) {
          addReverseLink(ids[i], node, dists[i], l);
        }
      }
    }

    private int drainClosestFirst(NeighborQueue results) {
      int count = results.size();
      if (ids.length < count) {
        ids = new int[count];
        dists = new float[count];
      }
      for (int i = count - 1; i >= 0; i--) {
        dists[i] = results.topDistance();
        ids[i] = results.pop();
      }
      return count;
    }

    private void addReverseLink(int from, int to, float distance, int level) {
      synchronized (graph.lock(level, from)) {
        if (graph.appendUnlocked(level, from, to)) {
          return;
        }
        // Full: rank the old links and the new one by distance to `from`, keep a diverse subset.
        int count = graph.copyUnlocked(level, from, overflowIds);
        for (int i = 0; i < count; i++) {
          overflowDists[i] = distanceBetween(from, overflowIds[i]);
        }
        overflowIds[count] = to;
        overflowDists[count] = distance;
        DiversityHeuristic.sortByDistance(overflowIds, overflowDists, count + 1);
        int kept = heuristic.select(overflowIds, overflowDists, count + 1, graph.maxDegree(level));
        graph.setUnlocked(level, from, overflowIds, kept);
      }
    }

  }
}
