package io.leann.bench.data;

import io.leann.protocol.Metric;
import java.util.Arrays;

/**
 * An ANN benchmark data set in the ann-benchmarks shape: train vectors to index, held-out test
 * vectors to query with, and the metric. Both sets are flat row-major float arrays of {@code dims}
 * columns. For {@link Metric#COSINE} the loaders hand them over L2-normalised, so the engine, the
 * exact search and the peers all see the very same unit vectors.
 *
 * @param name data set name as given on the command line
 * @param metric distance the benchmark uses
 * @param dims columns per vector
 * @param train vectors to index
 * @param test query vectors
 */
public record Dataset(String name, Metric metric, int dims, float[] train, float[] test) {
  public Dataset {
    if (dims <= 0 || train.length % dims != 0 || test.length % dims != 0) {
      throw new IllegalArgumentException(name + ": arrays are not whole " + dims + "-d rows");
    }
  }

  public int trainSize() {
    return train.length / dims;
  }

  public int testSize() {
    return test.length / dims;
  }

  /** The query vectors as rows, for loops that search one query at a time. */
  public float[][] queries() {
    float[][] rows = new float[testSize()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = Arrays.copyOfRange(test, i * dims, (i + 1) * dims);
    }
    return rows;
  }

  /**
   * The first {@code maxTrain} train and {@code maxQueries} test vectors (0 keeps all), for smoke
   * runs on a subset.
   */
  public Dataset limit(int maxTrain, int maxQueries) {
    int n = maxTrain > 0 ? Math.min(maxTrain, trainSize()) : trainSize();
    int q = maxQueries > 0 ? Math.min(maxQueries, testSize()) : testSize();
    if (n == trainSize() && q == testSize()) {
      return this;
    }
    return new Dataset(name, metric, dims, Arrays.copyOf(train, n * dims),
        Arrays.copyOf(test, q * dims));
  }
}
