package io.leann.bench.jmh;

import io.leann.protocol.Metric;
import io.leann.shard.pq.PqCodes;
import io.leann.shard.pq.PqParams;
import io.leann.shard.pq.ProductQuantizer;
import io.leann.shard.vector.ArrayVectors;
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
 * What a PQ distance costs against a float one, over 16,384 384-d rows: the ADC table for one query
 * (SIMD), the compressed scan of every code ({@code PqCodes.scan}, SIMD gathers), the same sums node
 * by node with scalar lookups (the kernel the graph walk calls per neighbour), and the exact SIMD dot
 * product over the float rows. Results are microseconds per operation
 * (one table, or one whole scan).
 *
 * <p>Run with {@code java -jar bench/target/leann-bench.jar PqScanBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED"})
public class PqScanBenchmark {
  private static final int ROWS = 16_384;
  private static final int DIMS = 384;

  @Param({"32", "48"})
  public int codeBytes;

  private ArrayVectors vectors;
  private ProductQuantizer pq;
  private PqCodes codes;

  private float[] query;
  private float[] table;
  private float[] out;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(7);
    float[] data = new float[ROWS * DIMS];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    vectors = new ArrayVectors(data, DIMS);
    vectors.normaliseRows();
    pq = ProductQuantizer.train(vectors, new PqParams(codeBytes, 8, 4096, 8, 1));
    codes = PqCodes.of(pq, pq.encodeAll(vectors));
    query = new float[DIMS];
    vectors.copyTo(123, query);
    table = new float[pq.tableSize()];
    pq.lookupTable(query, Metric.COSINE, table);
    out = new float[ROWS];
  }

  @Benchmark
  public float[] lookupTable() {
    pq.lookupTable(query, Metric.COSINE, table);
    return table;
  }

  @Benchmark
  public float[] scanCodes() {
    codes.scan(table, 0, ROWS, out);
    return out;
  }

  @Benchmark
  public float[] scanCodesPerNode() {
    for (int i = 0; i < ROWS; i++) {
      out[i] = codes.distance(table, i);
    }
    return out;
  }

  @Benchmark
  public void scanExactFloats(Blackhole bh) {
    for (int i = 0; i < ROWS; i++) {
      bh.consume(vectors.dot(query, i));
    }
  }
}
