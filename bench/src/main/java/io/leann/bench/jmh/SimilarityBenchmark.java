package io.leann.bench.jmh;

import io.leann.protocol.Metric;
import io.leann.shard.hnsw.StoredVectorDistances;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.VectorValues;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metric's {@code Similarity} costs in the graph walk's hot loop: one expansion step's
 * distances (32 scattered neighbours of a 384-d, 4,096-row index) through {@link StoredVectorDistances},
 * which dispatches on the {@code Similarity} constant, against the {@code l2 ? ... : ...} branch the
 * engine had before, inlined here. Both metrics are used alternately, so each call site sees both
 * constants (the bimorphic case a node serving L2 and cosine indexes meets). Nanoseconds per pair
 * of steps (one L2, one cosine).
 *
 * <p>Run with {@code java -jar bench/target/leann-bench.jar SimilarityBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class SimilarityBenchmark {
  private static final int DIMS = 384;
  private static final int ROWS = 4096;
  private static final int BATCH = 32;

  private VectorValues vectors;
  private float[] query;
  private int[] nodes;
  private final float[] out = new float[BATCH];
  private StoredVectorDistances l2;
  private StoredVectorDistances cosine;
  private BranchDistances l2Branch;
  private BranchDistances cosineBranch;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    float[] data = new float[ROWS * DIMS];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextDouble(-1, 1);
    }
    vectors = new ArrayVectors(data, DIMS);
    query = new float[DIMS];
    for (int i = 0; i < DIMS; i++) {
      query[i] = (float) random.nextDouble(-1, 1);
    }
    nodes = random.ints(BATCH, 0, ROWS).toArray();
    l2 = new StoredVectorDistances(vectors, Metric.L2).setQuery(query);
    cosine = new StoredVectorDistances(vectors, Metric.COSINE).setQuery(query);
    l2Branch = new BranchDistances(vectors, Metric.L2, query);
    cosineBranch = new BranchDistances(vectors, Metric.COSINE, query);
  }

  @Benchmark
  public float similarity() {
    l2.distances(nodes, BATCH, out);
    float sum = out[BATCH - 1];
    cosine.distances(nodes, BATCH, out);
    return sum + out[BATCH - 1];
  }

  @Benchmark
  public float branch() {
    l2Branch.distances(nodes, BATCH, out);
    float sum = out[BATCH - 1];
    cosineBranch.distances(nodes, BATCH, out);
    return sum + out[BATCH - 1];
  }

  /** {@code StoredVectorDistances} as it was before {@code Similarity}: a boolean branch per step. */
  private static final class BranchDistances {
    private final VectorValues vectors;
    private final boolean l2;
    private final float[] query;

    BranchDistances(VectorValues vectors, Metric metric, float[] query) {
      this.vectors = vectors;
      this.l2 = metric == Metric.L2;
      this.query = query;
    }

    void distances(int[] nodes, int count, float[] out) {
      int i = 0;
      if (l2) {
        for (; i + 4 <= count; i += 4) {
          vectors.squaredL2x4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
        }
        for (; i < count; i++) {
          out[i] = vectors.squaredL2(query, nodes[i]);
        }
      } else {
        for (; i + 4 <= count; i += 4) {
          vectors.dot4(query, nodes[i], nodes[i + 1], nodes[i + 2], nodes[i + 3], out, i);
          out[i] = -out[i];
          out[i + 1] = -out[i + 1];
          out[i + 2] = -out[i + 2];
          out[i + 3] = -out[i + 3];
        }
        for (; i < count; i++) {
          out[i] = -vectors.dot(query, nodes[i]);
        }
      }
    }
  }
}
