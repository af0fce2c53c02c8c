package io.leann.bench.data;

import io.leann.protocol.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST as ann-benchmarks' {@code fashion-mnist-784-euclidean}: the 60,000 training images
 * are the index, the 10,000 test images the queries, 784 raw pixel values each, L2 distance.
 * Read from the Debian package {@code dataset-fashion-mnist}, or from the same two gzipped IDX
 * files placed in {@code <data dir>/fashion-mnist/} (looked at first).
 */
final class FashionMnist {
  static final String NAME = "fashion-mnist";
  private static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
  private static final String TRAIN = "train-images-idx3-ubyte.gz";
  private static final String TEST = "t10k-images-idx3-ubyte.gz";

  private FashionMnist() {}

  static Dataset load(Path dataDir) throws IOException {
    Path local = dataDir.resolve(NAME);
    Path dir = null;
    for (Path candidate : List.of(local, DEBIAN_DIR)) {
      if (Files.isRegularFile(candidate.resolve(TRAIN)) && Files.isRegularFile(candidate.resolve(TEST))) {
        dir = candidate;
        break;
      }
    }
    if (dir == null) {
      throw new IOException("Fashion-MNIST not found: neither " + local + " nor " + DEBIAN_DIR
          + " holds " + TRAIN + " and " + TEST + ". Install it with: apt-get install dataset-fashion-mnist");
    }
    IdxImages train = IdxImages.read(dir.resolve(TRAIN));
    IdxImages test = IdxImages.read(dir.resolve(TEST));
    if (train.pixels() != test.pixels()) {
      throw new IOException(dir + ": train images have " + train.pixels() + " pixels, test images "
          + test.pixels());
    }
    return new Dataset(NAME, Metric.L2, train.pixels(), train.data(), test.data());
  }
}
