package io.leann.bench.jmh;

import io.leann.shard.vector.ScalarDistances;
import io.leann.shard.vector.VectorDistances;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The distance kernels a graph search spends its time in: the Vector-API kernels against the
 * scalar reference loops (dot, squared L2, cosine), and the four-candidate batch kernels against
 * four single calls over the same rows, at the embedding sizes LEANN meets (100-d word vectors,
 * 384-d MiniLM, 768-d BERT-base). Results are nanoseconds per call: one pair for the single
 * kernels, one query against four rows for the batch ones.
 *
 * <p>Run with {@code java -jar bench/target/leann-bench.jar DistanceBenchmark}; the forks get the
 * incubator module flag themselves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class DistanceBenchmark {
  private static final int ROWS = 64;

  @Param({"100", "384", "768"})
  public int dims;

  private float[] query;
  private float[] other;
  private float[] rows;
  private int[] offsets;
  private final float[] out = new float[4];

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    query = randomVector(random, dims);
    other = randomVector(random, dims);
    rows = randomVector(random, ROWS * dims);
    // Four scattered rows, as a graph neighbour list would hand them over.
    offsets = new int[] {3 * dims, 17 * dims, 40 * dims, 61 * dims};
  }

  private static float[] randomVector(SplittableRandom random, int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    return v;
  }

  @Benchmark
  public float dotSimd() {
    return VectorDistances.dot(query, other);
  }

  @Benchmark
  public float dotScalar() {
    return ScalarDistances.dot(query, other);
  }

  @Benchmark
  public float squaredL2Simd() {
    return VectorDistances.squaredL2(query, other);
  }

  @Benchmark
  public float squaredL2Scalar() {
    return ScalarDistances.squaredL2(query, other);
  }

  @Benchmark
  public float cosineSimd() {
    return VectorDistances.cosine(query, other);
  }

  @Benchmark
  public float cosineScalar() {
    return ScalarDistances.cosine(query, other);
  }

  @Benchmark
  public void dotBatch4(Blackhole bh) {
    VectorDistances.dot4(query, rows, offsets[0], offsets[1], offsets[2], offsets[3], dims, out, 0);
    bh.consume(out);
  }

  @Benchmark
  public void dotSingle4(Blackhole bh) {
    for (int i = 0; i < 4; i++) {
      out[i] = VectorDistances.dot(query, 0, rows, offsets[i], dims);
    }
    bh.consume(out);
  }

  @Benchmark
  public void squaredL2Batch4(Blackhole bh) {
    VectorDistances.squaredL2x4(query, rows, offsets[0], offsets[1], offsets[2], offsets[3], dims,
        out, 0);
    bh.consume(out);
  }

  @Benchmark
  public void squaredL2Single4(Blackhole bh) {
    for (int i = 0; i < 4; i++) {
      out[i] = VectorDistances.squaredL2(query, 0, rows, offsets[i], dims);
    }
    bh.consume(out);
  }
}
