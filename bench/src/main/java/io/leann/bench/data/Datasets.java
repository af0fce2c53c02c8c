package io.leann.bench.data;

import io.leann.shard.vector.ArrayVectors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark data sets by name, and where their downloads are cached: {@code $LEANN_BENCH_DATA}
 * if set, else {@code ~/.cache/leann-bench} (never inside the repository).
 */
public final class Datasets {
  /** Names accepted by {@link #load}. */
  public static final List<String> NAMES = List.of(FashionMnist.NAME, WinkEmbeddings.NAME, DocPassages.NAME);

  private Datasets() {}

  public static Path defaultDataDir() {
    String env = System.getenv("LEANN_BENCH_DATA");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "leann-bench");
  }

  /**
   * Loads (fetching on first use) the data set called {@code name}; cosine data sets come back
   * L2-normalised.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Dataset load(String name, Path dataDir) throws IOException {
    Dataset d = switch (name) {
      case FashionMnist.NAME -> FashionMnist.load(dataDir);
      case WinkEmbeddings.NAME -> WinkEmbeddings.load(dataDir);
      case DocPassages.NAME -> DocPassages.load(dataDir);
      default -> throw new IllegalArgumentException(
          "unknown dataset '" + name + "' (expected one of " + String.join(", ", NAMES) + ")");
    };
    if (d.metric().normalises()) {
      new ArrayVectors(d.train(), d.dims()).normaliseRows();
      new ArrayVectors(d.test(), d.dims()).normaliseRows();
    }
    return d;
  }
}
