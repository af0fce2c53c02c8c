package io.leann.bench.jvm;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import io.leann.bench.data.Dataset;
import io.leann.protocol.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ForkJoinPool;

/**
 * jvector's on-heap graph: {@link GraphIndexBuilder} with a hierarchy (HNSW-style upper layers),
 * degree {@code 2m} on layer 0 and {@code m} above, the library's in-memory defaults for the rest
 * (neighbour overflow {@value #NEIGHBOR_OVERFLOW}, Vamana alpha {@value #ALPHA}, final refinement
 * on), exact scoring for build and search. A search keeps a beam of {@code max(ef, k)}
 * ({@code rerankK}) and returns the best {@code k}. The thread's {@link GraphSearcher} is reused
 * across queries, as jvector's own benchmarks do.
 */
final class JVectorPeer implements JvmPeer {
  static final String NAME = "jvector";
  static final float NEIGHBOR_OVERFLOW = 1.2f;
  static final float ALPHA = 1.2f;

  private final VectorTypeSupport types = VectorizationProvider.getInstance().getVectorTypeSupport();
  private RandomAccessVectorValues vectors;
  private VectorSimilarityFunction similarity;
  private ImmutableGraphIndex graph;
  private GraphSearcher searcher;
  private int m;
  private int efConstruction;
  private int threads;

  /** The jar's manifest names no version; its Maven properties do. */
  @Override
  public String name() {
    Properties maven = new Properties();
    try (InputStream in = GraphIndexBuilder.class.getResourceAsStream(
        "/META-INF/maven/io.github.jbellis/jvector-base/pom.properties")) {
      if (in != null) {
        maven.load(in);
      }
    } catch (IOException e) {
      // the name then says the version is unknown
    }
    return "jvector " + maven.getProperty("version", "(unknown version)");
  }

  @Override
  public void build(Dataset data, int m, int efConstruction, int threads) throws IOException {
    this.m = m;
    this.efConstruction = efConstruction;
    this.threads = threads;
    similarity = data.metric() == Metric.L2 ? VectorSimilarityFunction.EUCLIDEAN
        : VectorSimilarityFunction.DOT_PRODUCT;
    List<VectorFloat<?>> rows = new ArrayList<>(data.trainSize());
    for (float[] row : JvmPeer.rows(data)) {
      rows.add(types.createFloatVector(row));
    }
    vectors = new ListRandomAccessVectorValues(rows, data.dims());
    ForkJoinPool simd = new ForkJoinPool(threads);
    ForkJoinPool parallel = new ForkJoinPool(threads);
    try (GraphIndexBuilder builder = new GraphIndexBuilder(
        BuildScoreProvider.randomAccessScoreProvider(vectors, similarity), data.dims(),
        List.of(2 * m, m), efConstruction, NEIGHBOR_OVERFLOW, ALPHA, true, true, simd, parallel)) {
      graph = builder.build(vectors);
    } finally {
      simd.shutdown();
      parallel.shutdown();
    }
    searcher = new GraphSearcher(graph);
  }

  @Override
  public String settings() {
    return String.format("degrees [%d, %d] (layer 0, above), beamWidth=%d, neighborOverflow=%.1f,"
        + " alpha=%.1f, hierarchy on, refineFinalGraph on, %s, %d build thread(s); vectorization: %s",
        2 * m, m, efConstruction, NEIGHBOR_OVERFLOW, ALPHA, similarity, threads,
        VectorizationProvider.getInstance().getClass().getSimpleName());
  }

  @Override
  public long graphBytes() {
    return graph.ramBytesUsed();
  }

  @Override
  public int[] search(float[] query, int k, int ef) {
    SearchResult result = searcher.search(
        DefaultSearchScoreProvider.exact(types.createFloatVector(query), similarity, vectors), k,
        Math.max(ef, k), 0f, 0f, Bits.ALL);
    SearchResult.NodeScore[] nodes = result.getNodes();
    int[] ids = new int[nodes.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = nodes[i].node;
    }
    return ids;
  }
}
