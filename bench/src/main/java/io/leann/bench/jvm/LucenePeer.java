package io.leann.bench.jvm;

import io.leann.bench.data.Dataset;
import io.leann.protocol.Metric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Version;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Lucene's {@code org.apache.lucene.util.hnsw} on heap, as a Lucene segment flush builds it:
 * {@link HnswGraphBuilder} with one thread, {@link HnswConcurrentMergeBuilder} (what a merge uses)
 * with more; exact float scoring through {@link DefaultFlatVectorScorer}. Cosine data are unit
 * vectors, so they use {@code DOT_PRODUCT} (Lucene's recommendation for normalised vectors); L2
 * uses {@code EUCLIDEAN}. A search collects the best {@code ef} with a {@link TopKnnCollector}
 * and keeps the first {@code k}, which is how Lucene's k-NN query runs a beam wider than k.
 */
final class LucenePeer implements JvmPeer {
  static final String NAME = "lucene";

  private FloatVectorValues vectors;
  private VectorSimilarityFunction similarity;
  private OnHeapHnswGraph graph;
  private int m;
  private int efConstruction;
  private int threads;

  @Override
  public String name() {
    return "lucene-util.hnsw " + Version.LATEST;
  }

  @Override
  public void build(Dataset data, int m, int efConstruction, int threads) throws IOException {
    this.m = m;
    this.efConstruction = efConstruction;
    this.threads = threads;
    similarity = data.metric() == Metric.L2 ? VectorSimilarityFunction.EUCLIDEAN
        : VectorSimilarityFunction.DOT_PRODUCT;
    vectors = FloatVectorValues.fromFloats(JvmPeer.rows(data), data.dims());
    RandomVectorScorerSupplier scorers =
        DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(similarity, vectors);
    int n = data.trainSize();
    HnswGraphBuilder builder = HnswGraphBuilder.create(scorers, m, efConstruction, HnswGraphBuilder.randSeed, n);
    if (threads == 1) {
      graph = builder.build(n);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      graph = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, m, efConstruction,
          builder.getGraph(), null).build(n);
    } finally {
      pool.shutdown();
    }
  }

  @Override
  public String settings() {
    return String.format("M=%d (level 0: %d), beamWidth=%d, %s, %d build thread(s)%s", m, 2 * m,
        efConstruction, similarity, threads, threads == 1 ? "" : " (HnswConcurrentMergeBuilder)");
  }

  @Override
  public long graphBytes() {
    return graph.ramBytesUsed();
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    try {
      KnnCollector collector = new TopKnnCollector(Math.max(ef, k), Integer.MAX_VALUE);
      HnswGraphSearcher.search(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(similarity, vectors, query),
          collector, graph, null);
      ScoreDoc[] docs = collector.topDocs().scoreDocs;
      int[] ids = new int[Math.min(k, docs.length)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = docs[i].doc;
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
