package io.leann.shard.pq;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The PQ codes of every node of an index, {@code size x quantizer.codeBytes()} bytes row-major in a
 * segment (mapped from the index file, or on the heap right after a build), and the asymmetric
 * distances they give against a query's lookup table. Immutable; safe for concurrent readers.
 */
public final class PqCodes {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private final ProductQuantizer quantizer;
  private final MemorySegment codes;
  private final int size;
  private final int m;
  private final int centroids;

  /**
   * @throws IllegalArgumentException if {@code codes} does not hold {@code size} codes, or a code
   *     names a centroid the codebooks do not have (possible with fewer than 8 bits)
   */
  public PqCodes(ProductQuantizer quantizer, MemorySegment codes, int size) {
    this.quantizer = quantizer;
    this.codes = codes;
    this.size = size;
    this.m = quantizer.codeBytes();
    this.centroids = quantizer.centroids();
    if (codes.byteSize() != (long) size * m) {
      throw new IllegalArgumentException("PQ code section has " + codes.byteSize() + " bytes, expected "
          + size + " nodes x " + m + " bytes");
    }
    if (centroids < 256) {
      for (long i = 0; i < codes.byteSize(); i++) {
        if ((codes.get(ValueLayout.JAVA_BYTE, i) & 0xff) >= centroids) {
          throw new IllegalArgumentException("PQ code of node " + i / m + " names centroid "
              + (codes.get(ValueLayout.JAVA_BYTE, i) & 0xff) + " of " + centroids);
        }
      }
    }
  }

  public static PqCodes of(ProductQuantizer quantizer, byte[] codes) {
    return new PqCodes(quantizer, MemorySegment.ofArray(codes), codes.length / quantizer.codeBytes());
  }

  public ProductQuantizer quantizer() {
    return quantizer;
  }

  public MemorySegment segment() {
    return codes;
  }

  public int size() {
    return size;
  }

  public long byteSize() {
    return codes.byteSize();
  }

  /** Approximate distance of {@code node} from the query whose lookup table is {@code table}. */
  public float distance(float[] table, int node) {
    long base = (long) node * m;
    float s0 = 0;
    float s1 = 0;
    int j = 0;
    // Two accumulators: the table reads are independent, the additions need not queue behind each other.
    for (; j + 1 < m; j += 2) {
      s0 += table[j * centroids + (codes.get(ValueLayout.JAVA_BYTE, base + j) & 0xff)];
      s1 += table[(j + 1) * centroids + (codes.get(ValueLayout.JAVA_BYTE, base + j + 1) & 0xff)];
    }
    if (j < m) {
      s0 += table[j * centroids + (codes.get(ValueLayout.JAVA_BYTE, base + j) & 0xff)];
    }
    return s0 + s1;
  }

  /**
   * Approximate distances of all nodes {@code [from, to)} into {@code out[0..to-from)}: the
   * stand-alone compressed scan. Nodes go {@link FloatVector#length() lanes} at a time, one lane per
   * node, gathering each subspace's table entries with one SIMD gather.
   */
  public void scan(float[] table, int from, int to, float[] out) {
    int[] index = new int[LANES];
    int node = from;
    for (; node + LANES <= to; node += LANES) {
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int j = 0; j < m; j++) {
        long base = (long) node * m + j;
        for (int l = 0; l < LANES; l++) {
          index[l] = codes.get(ValueLayout.JAVA_BYTE, base + (long) l * m) & 0xff;
        }
        acc = acc.add(FloatVector.fromArray(SPECIES, table, j * centroids, index, 0));
      }
      acc.intoArray(out, node - from);
    }
    for (; node < to; node++) {
      out[node - from] = distance(table, node);
    }
  }
}
