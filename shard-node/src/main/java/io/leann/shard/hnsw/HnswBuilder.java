package io.leann.shard.hnsw;

import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Insertion, as Lucene's {@code HnswGraphBuilder} does it: greedy descent to the node's level,
 * then on each of its levels a beam search of width {@code efConstruction} (seeded with every
 * node the level above found), the neighbour-selection heuristic (keep a candidate only if it is
 * closer to the new node than to every neighbour kept so far) up to the level's cap ({@code 2M} on
 * level 0, {@code M} above), and a reverse link in each chosen neighbour. A neighbour whose list is
 * full drops exactly one link ({@link DiversityHeuristic#worstNonDiverse}), so lists stay full;
 * which of its links were appended since its list was last checked for diversity is tracked per
 * list ({@code checked}). Taking only {@code M} links on level 0 and shrinking an overfull list
 * to its diverse core (hnswlib's way) leaves lists emptier, and cost about one point of recall@10
 * at ef 10-16 against Lucene on real text embeddings (PERFORMANCE.md, section 13). The build ends
 * by linking any node a walk from the entry point no longer reaches ({@link #connectComponents}).
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
  /** Per level and node: how many leading entries of the list were verified diverse. */
  private final int[][] checked;
  private final Object entryLock = new Object();

  private HnswBuilder(VectorValues vectors, HnswParams params) {
    this.vectors = vectors;
    this.params = params;
    this.heuristic = new DiversityHeuristic(vectors, params.metric());
    this.similarity = Similarity.of(params.metric());
    int[] levels = drawLevels(vectors.size(), params);
    this.graph = new OnHeapGraph(levels, params.m(), params.m0());
    int top = 0;
    for (int level : levels) {
      top = Math.max(top, level);
    }
    this.checked = new int[top + 1][levels.length];
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
    builder.connectComponents();
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

  /**
   * Makes every node reachable from the entry point on every level it lives on (Lucene's
   * {@code connectComponents}): dropping one link from a full list can leave a node, or a small
   * cluster, with no way in. Each node a walk from the entry point does not reach is linked from
   * up to {@code M} of its nearest reachable nodes that have room (if none has room, from the
   * nearest one, which then drops its worst link), and its whole component then counts as reached.
   * Single-threaded, after all insertions.
   */
  private void connectComponents() {
    OnHeapGraph.Entry entry = graph.entry();
    if (entry.node() < 0) {
      return;
    }
    int n = vectors.size();
    Inserter inserter = new Inserter();
    boolean[] reached = new boolean[n];
    int[] stack = new int[n];
    int[] scratch = new int[Math.max(params.m(), params.m0())];
    for (int level = 0; level <= entry.level(); level++) {
      Arrays.fill(reached, false);
      markComponent(entry.node(), level, reached, stack, scratch);
      for (int node = 0; node < n; node++) {
        if (graph.level(node) >= level && !reached[node]) {
          inserter.attach(node, level, entry);
          markComponent(node, level, reached, stack, scratch);
        }
      }
    }
  }

  /** Marks everything reachable from {@code start} on {@code level}. */
  private void markComponent(int start, int level, boolean[] reached, int[] stack, int[] scratch) {
    int top = 0;
    stack[top++] = start;
    reached[start] = true;
    while (top > 0) {
      int count = graph.neighbors(level, stack[--top], scratch);
      for (int i = 0; i < count; i++) {
        int next = scratch[i];
        if (!reached[next]) {
          reached[next] = true;
          stack[top++] = next;
        }
      }
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
    private final boolean[] overflowUnchecked = new boolean[params.m0() + 1];
    private final int[] uncheckedIds = new int[params.m0() + 1];
    private int[] seedIds = new int[params.efConstruction() + 1];
    private float[] seedDists = new float[params.efConstruction() + 1];
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
      seedIds[0] = best[0];
      seedDists[0] = bestDistance[0];
      int seeds = 1;
      for (int l = Math.min(level, entry.level()); l >= 0; l--) {
        searcher.prepare(graph);
        NeighborQueue results = searcher.results();
        searcher.visited().visit(node);
        for (int i = 0; i < seeds; i++) {
          searcher.visited().visit(seedIds[i]);
          searcher.seed(seedIds[i], seedDists[i], null);
        }
        searcher.searchLevel(graph, source, params.efConstruction(), l, null);
        int count = drainClosestFirst(results);
        // The level below starts from everything this level found (distances carry over: same query).
        if (seedIds.length < count) {
          seedIds = new int[count];
          seedDists = new float[count];
        }
        System.arraycopy(ids, 0, seedIds, 0, count);
        System.arraycopy(dists, 0, seedDists, 0, count);
        seeds = count;
        int kept = heuristic.select(ids, dists, count, graph.maxDegree(l));
        synchronized (graph.lock(l, node)) {
          graph.setUnlocked(l, node, ids, kept);
          checked[l][node] = kept;
        }
        for (int i = 0; i < kept; i++) {
          addReverseLink(ids[i], node, dists[i], l);
        }
      }
    }

    /**
     * Links {@code node}, which no walk from the entry point reaches on {@code level}, from its
     * nearest nodes there that such a walk finds.
     */
    void attach(int node, int level, OnHeapGraph.Entry entry) {
      vectors.copyTo(node, query);
      source.setQuery(query);
      searcher.prepare(graph);
      best[0] = entry.node();
      bestDistance[0] = source.distance(entry.node());
      searcher.descend(graph, source, entry.level(), level + 1, best, bestDistance);
      searcher.prepare(graph);
      searcher.visited().visit(node);
      searcher.visited().visit(best[0]);
      searcher.seed(best[0], bestDistance[0], null);
      searcher.searchLevel(graph, source, params.efConstruction(), level, null);
      int count = drainClosestFirst(searcher.results());
      int linked = 0;
      for (int i = 0; i < count && linked < params.m(); i++) {
        synchronized (graph.lock(level, ids[i])) {
          if (graph.appendUnlocked(level, ids[i], node)) {
            linked++;
          }
        }
      }
      if (linked == 0 && count > 0) {
        addReverseLink(ids[0], node, dists[0], level);
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
        // Full: rank the old links and the new one by distance to `from`, drop the worst one.
        int count = graph.copyUnlocked(level, from, overflowIds);
        int verified = checked[level][from];
        for (int i = 0; i < count; i++) {
          overflowDists[i] = distanceBetween(from, overflowIds[i]);
        }
        overflowIds[count] = to;
        overflowDists[count] = distance;
        int unverified = count + 1 - verified;
        System.arraycopy(overflowIds, verified, uncheckedIds, 0, unverified);
        DiversityHeuristic.sortByDistance(overflowIds, overflowDists, count + 1);
        for (int i = 0; i <= count; i++) {
          overflowUnchecked[i] = contains(uncheckedIds, unverified, overflowIds[i]);
        }
        int drop = heuristic.worstNonDiverse(overflowIds, overflowDists, overflowUnchecked, count + 1);
        System.arraycopy(overflowIds, drop + 1, overflowIds, drop, count - drop);
        graph.setUnlocked(level, from, overflowIds, count);
        checked[level][from] = count;
      }
    }

    private static boolean contains(int[] ids, int count, int id) {
      for (int i = 0; i < count; i++) {
        if (ids[i] == id) {
          return true;
        }
      }
      return false;
    }

  }
}
