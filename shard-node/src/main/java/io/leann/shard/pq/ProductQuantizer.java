package io.leann.shard.pq;

import io.leann.protocol.Metric;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.vector.VectorValues;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Random;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A product quantiser: a vector of {@code dims} floats is cut into {@code subspaces} sub-vectors of
 * {@code dims / subspaces} floats, and each sub-vector is replaced by the index (one byte) of its
 * nearest centroid in that subspace's codebook. Distances to a query are then read from a per-query
 * lookup table ({@link #lookupTable}): asymmetric distance computation, where the query stays exact.
 *
 * <p>Both squared L2 and the negated dot product split into a sum over subspaces, so the table holds
 * each subspace's share and a node's approximate distance is the sum of {@code subspaces} table
 * entries ({@link PqDistances}). Immutable and thread-safe after construction.
 *
 * <p>Serialised form ({@link #toSegment()}): four little-endian i32 (dims, subspaces, bits, 0), then
 * the codebooks as f32, row-major {@code [subspace][centroid][sub-dimension]}. Codes of at most 4
 * bits are stored two to a byte by {@link PqCodes}; {@link #encode} writes one per byte.
 */
public final class ProductQuantizer {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int HEADER_BYTES = 16;

  private final int dims;
  private final int subspaces;
  private final int bits;
  private final int centroids;
  private final int subDims;
  /** {@code [subspace][sub-dimension][centroid]}: a SIMD loop over centroids scores one sub-vector. */
  private final float[] transposed;

  private ProductQuantizer(int dims, int subspaces, int bits, float[] rowMajor) {
    this.dims = dims;
    this.subspaces = subspaces;
    this.bits = bits;
    this.centroids = 1 << bits;
    this.subDims = dims / subspaces;
    this.transposed = new float[rowMajor.length];
    int block = centroids * subDims;
    float[] t = new float[block];
    float[] rows = new float[block];
    for (int j = 0; j < subspaces; j++) {
      System.arraycopy(rowMajor, j * block, rows, 0, block);
      KMeans.transpose(rows, centroids, subDims, t);
      System.arraycopy(t, 0, transposed, j * block, block);
    }
  }

  /**
   * Trains codebooks by k-means on a seeded sample of {@code vectors} (all of them if fewer than
   * {@code params.sampleSize()}); subspaces are trained in parallel, each with its own seeded random,
   * so the result does not depend on the thread count.
   *
   * @throws IllegalArgumentException if the subspaces do not divide the dimensions, or there are no vectors
   */
  public static ProductQuantizer train(VectorValues vectors, PqParams params) {
    int dims = vectors.dims();
    int m = params.subspaces();
    if (dims % m != 0) {
      throw new IllegalArgumentException(m + " PQ subspaces do not divide " + dims + " dimensions");
    }
    if (vectors.size() == 0) {
      throw new IllegalArgumentException("cannot train PQ codebooks on an empty index");
    }
    int[] sample = sample(vectors.size(), params.sampleSize(), new Random(params.seed()));
    float[] row = new float[dims];
    int sub = dims / m;
    float[][] perSubspace = new float[m][sample.length * sub];
    for (int i = 0; i < sample.length; i++) {
      vectors.copyTo(sample[i], row);
      for (int j = 0; j < m; j++) {
        System.arraycopy(row, j * sub, perSubspace[j], i * sub, sub);
      }
    }
    int k = params.centroids();
    float[] rowMajor = new float[m * k * sub];
    IntStream.range(0, m).parallel().forEach(j -> {
      float[] c = KMeans.train(perSubspace[j], sample.length, sub, k, params.iterations(),
          new Random(params.seed() * 31 + j));
      System.arraycopy(c, 0, rowMajor, j * k * sub, k * sub);
    });
    return new ProductQuantizer(dims, m, params.bits(), rowMajor);
  }

  /**
   * Reads the {@link #toSegment() serialised form}.
   *
   * @throws IllegalArgumentException naming what is inconsistent (the caller adds the file name)
   */
  public static ProductQuantizer fromSegment(MemorySegment seg) {
    if (seg.byteSize() < HEADER_BYTES) {
      throw new IllegalArgumentException("PQ codebook section has " + seg.byteSize() + " bytes, less than its header");
    }
    int dims = seg.get(LittleEndian.INT, 0);
    int m = seg.get(LittleEndian.INT, 4);
    int bits = seg.get(LittleEndian.INT, 8);
    if (dims < 1 || m < 1 || dims % m != 0 || bits < 1 || bits > 8) {
      throw new IllegalArgumentException("PQ codebook header is invalid: dims " + dims + ", subspaces "
          + m + ", bits " + bits);
    }
    long floats = (long) m * (1 << bits) * (dims / m);
    if (seg.byteSize() != HEADER_BYTES + floats * Float.BYTES) {
      throw new IllegalArgumentException("PQ codebook section has " + seg.byteSize() + " bytes, expected "
          + (HEADER_BYTES + floats * Float.BYTES) + " for " + m + " subspaces of " + (1 << bits)
          + " centroids over " + dims + " dimensions");
    }
    float[] rowMajor = new float[(int) floats];
    MemorySegment.copy(seg, LittleEndian.FLOAT, HEADER_BYTES, rowMajor, 0, rowMajor.length);
    return new ProductQuantizer(dims, m, bits, rowMajor);
  }

  /** The codebooks in the serialised form, as a new segment. */
  public MemorySegment toSegment() {
    float[] rowMajor = rowMajor();
    MemorySegment out = Arena.ofAuto().allocate(HEADER_BYTES + (long) rowMajor.length * Float.BYTES);
    out.set(LittleEndian.INT, 0, dims);
    out.set(LittleEndian.INT, 4, subspaces);
    out.set(LittleEndian.INT, 8, bits);
    out.set(LittleEndian.INT, 12, 0);
    MemorySegment.copy(rowMajor, 0, out, LittleEndian.FLOAT, HEADER_BYTES, rowMajor.length);
    return out;
  }

  private float[] rowMajor() {
    int block = centroids * subDims;
    float[] rowMajor = new float[transposed.length];
    for (int j = 0; j < subspaces; j++) {
      for (int d = 0; d < subDims; d++) {
        for (int c = 0; c < centroids; c++) {
          rowMajor[j * block + c * subDims + d] = transposed[j * block + d * centroids + c];
        }
      }
    }
    return rowMajor;
  }

  /** Writes the {@link #codeBytes()} codes of {@code vector} into {@code out} at {@code offset}. */
  public void encode(float[] vector, byte[] out, int offset) {
    checkDims(vector.length);
    float[] scratch = new float[centroids];
    int block = centroids * subDims;
    for (int j = 0; j < subspaces; j++) {
      out[offset + j] = (byte) KMeans.nearest(transposed, j * block, centroids, subDims, vector,
          j * subDims, scratch);
    }
  }

  /** Codes of every vector, {@code size x codeBytes()} row-major; rows are encoded in parallel. */
  public byte[] encodeAll(VectorValues vectors) {
    checkDims(vectors.dims());
    byte[] codes = new byte[Math.multiplyExact(vectors.size(), subspaces)];
    IntStream.range(0, vectors.size()).parallel().forEach(i -> {
      float[] row = new float[dims];
      vectors.copyTo(i, row);
      encode(row, codes, i * subspaces);
    });
    return codes;
  }

  /** The vector the codes at {@code codes[offset..]} stand for (each sub-vector's centroid). */
  public float[] decode(byte[] codes, int offset) {
    float[] out = new float[dims];
    int block = centroids * subDims;
    for (int j = 0; j < subspaces; j++) {
      int c = codes[offset + j] & 0xff;
      for (int d = 0; d < subDims; d++) {
        out[j * subDims + d] = transposed[j * block + d * centroids + c];
      }
    }
    return out;
  }

  /**
   * Fills {@code table[j * centroids() + c]} with subspace {@code j}'s share of the engine distance
   * (see {@link Metric}) between {@code query} and centroid {@code c}: the squared L2 for L2, the
   * negated dot product otherwise. {@code table} holds {@link #tableSize()} floats.
   */
  public void lookupTable(float[] query, Metric metric, float[] table) {
    checkDims(query.length);
    boolean l2 = metric == Metric.L2;
    int bound = SPECIES.loopBound(centroids);
    int block = centroids * subDims;
    for (int j = 0; j < subspaces; j++) {
      int base = j * block;
      int out = j * centroids;
      for (int c = 0; c < bound; c += SPECIES.length()) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int d = 0; d < subDims; d++) {
          FloatVector cv = FloatVector.fromArray(SPECIES, transposed, base + d * centroids + c);
          float q = query[j * subDims + d];
          if (l2) {
            FloatVector diff = cv.sub(q);
            acc = diff.fma(diff, acc);
          } else {
            acc = cv.fma(FloatVector.broadcast(SPECIES, -q), acc);
          }
        }
        acc.intoArray(table, out + c);
      }
      for (int c = bound; c < centroids; c++) {
        float s = 0;
        for (int d = 0; d < subDims; d++) {
          float cv = transposed[base + d * centroids + c];
          float q = query[j * subDims + d];
          s += l2 ? (cv - q) * (cv - q) : -cv * q;
        }
        table[out + c] = s;
      }
    }
  }

  private void checkDims(int n) {
    if (n != dims) {
      throw new IllegalArgumentException("vector has " + n + " dimensions, PQ codebooks have " + dims);
    }
  }

  private static int[] sample(int n, int size, Random random) {
    if (size >= n) {
      return IntStream.range(0, n).toArray();
    }
    // Floyd's algorithm: a uniform sample without replacement, in O(size).
    HashSet<Integer> chosen = new HashSet<>();
    for (int j = n - size; j < n; j++) {
      int t = random.nextInt(j + 1);
      chosen.add(chosen.contains(t) ? j : t);
    }
    return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  public int dims() {
    return dims;
  }

  /** Bytes of one vector's code as {@link #encode} writes it: one per subspace. */
  public int codeBytes() {
    return subspaces;
  }

  /** Whether an index stores two codes to a byte ({@link PqCodes}): codes of at most 4 bits. */
  public boolean packed() {
    return packed(bits);
  }

  static boolean packed(int bits) {
    return bits <= 4;
  }

  /** Bytes of one vector's code as an index stores it: half a byte per code when {@link #packed}. */
  public int storedCodeBytes() {
    return storedCodeBytes(subspaces, bits);
  }

  static int storedCodeBytes(int subspaces, int bits) {
    return packed(bits) ? (subspaces + 1) / 2 : subspaces;
  }

  public int subspaces() {
    return subspaces;
  }

  public int bits() {
    return bits;
  }

  /** Centroids per subspace. */
  public int centroids() {
    return centroids;
  }

  /** Floats in a {@link #lookupTable lookup table}. */
  public int tableSize() {
    return subspaces * centroids;
  }

  /** Bytes of the serialised codebooks. */
  public long byteSize() {
    return HEADER_BYTES + (long) transposed.length * Float.BYTES;
  }

  /** Bytes of the serialised codebooks of {@code dims}-dimensional vectors with 2^bits centroids per subspace. */
  static long codebookBytes(int dims, int bits) {
    return HEADER_BYTES + ((long) dims << bits) * Float.BYTES;
  }

  /** The shape of the codes, e.g. {@code pq 32x8b} (32 one-byte codes of 256 centroids each). */
  public String describe() {
    return "pq " + subspaces + "x" + bits + "b";
  }
}
