package io.leann.shard.pq;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The PQ codes of every node of an index, {@code size x quantizer.storedCodeBytes()} bytes row-major
 * in a segment (mapped from the index file, or on the heap right after a build), and the asymmetric
 * distances they give against a query's lookup table. Codes of at most 4 bits are packed two to a
 * byte, subspace {@code 2i} in the low nibble of byte {@code i} and {@code 2i+1} in the high one (the
 * high nibble of an odd count's last byte is 0): a corpus-sized PQ gets twice the subspaces for its
 * bytes (PERFORMANCE.md §15). Immutable; safe for concurrent readers.
 */
public final class PqCodes {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  /** As many byte lanes as float lanes: one code per lane. */
  private static final VectorSpecies<Byte> BYTES =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * Byte.SIZE));

  private final ProductQuantizer quantizer;
  private final MemorySegment codes;
  private final int size;
  private final int m;
  private final boolean packed;
  /** Bytes per node. */
  private final int stride;
  private final int centroids;
  /** {@code j * centroids} at index {@code j}: where subspace {@code j}'s row starts in a table. */
  private final int[] rowOffsets;

  /**
   * @throws IllegalArgumentException if {@code codes} does not hold {@code size} codes, or a code
   *     names a centroid the codebooks do not have (possible with fewer than 8 bits)
   */
  public PqCodes(ProductQuantizer quantizer, MemorySegment codes, int size) {
    this.quantizer = quantizer;
    this.codes = codes;
    this.size = size;
    this.m = quantizer.codeBytes();
    this.packed = quantizer.packed();
    this.stride = quantizer.storedCodeBytes();
    this.centroids = quantizer.centroids();
    this.rowOffsets = new int[m];
    for (int j = 0; j < m; j++) {
      rowOffsets[j] = j * centroids;
    }
    if (codes.byteSize() != (long) size * stride) {
      throw new IllegalArgumentException("PQ code section has " + codes.byteSize() + " bytes, expected "
          + size + " nodes x " + stride + " bytes");
    }
    if (centroids < (packed ? 16 : 256)) {
      for (int node = 0; node < size; node++) {
        for (int j = 0; j < m; j++) {
          int c = code(node, j);
          if (c >= centroids) {
            throw new IllegalArgumentException("PQ code of node " + node + " names centroid " + c + " of " + centroids);
          }
        }
      }
    }
  }

  /** Codes as {@link ProductQuantizer#encodeAll} writes them, one byte per code; packed here when 4-bit. */
  public static PqCodes of(ProductQuantizer quantizer, byte[] codes) {
    int m = quantizer.codeBytes();
    int size = codes.length / m;
    if (!quantizer.packed()) {
      return new PqCodes(quantizer, MemorySegment.ofArray(codes), size);
    }
    int stride = quantizer.storedCodeBytes();
    byte[] packed = new byte[size * stride];
    for (int node = 0; node < size; node++) {
      for (int j = 0; j < m; j++) {
        packed[node * stride + j / 2] |= (byte) ((codes[node * m + j] & 0xf) << (4 * (j & 1)));
      }
    }
    return new PqCodes(quantizer, MemorySegment.ofArray(packed), size);
  }

  /** Code of subspace {@code j} of {@code node}. */
  private int code(int node, int j) {
    long base = (long) node * stride;
    if (!packed) {
      return codes.get(ValueLayout.JAVA_BYTE, base + j) & 0xff;
    }
    return (codes.get(ValueLayout.JAVA_BYTE, base + j / 2) >>> (4 * (j & 1))) & 0xf;
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
    if (packed) {
      return packedDistance(table, node);
    }
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

  private float packedDistance(float[] table, int node) {
    long base = (long) node * stride;
    float s0 = 0;
    float s1 = 0;
    int pairs = m / 2;
    for (int i = 0; i < pairs; i++) {
      int b = codes.get(ValueLayout.JAVA_BYTE, base + i);
      s0 += table[(2 * i) * centroids + (b & 0xf)];
      s1 += table[(2 * i + 1) * centroids + ((b >>> 4) & 0xf)];
    }
    if ((m & 1) != 0) {
      s0 += table[(m - 1) * centroids + (codes.get(ValueLayout.JAVA_BYTE, base + pairs) & 0xf)];
    }
    return s0 + s1;
  }

  /**
   * Approximate distances of all nodes {@code [from, to)} into {@code out[0..to-from)}: the
   * stand-alone compressed scan. Per node, {@code LANES} codes at a time are widened from bytes to
   * table indexes in one vector, offset by their subspace's row of the table, and their entries
   * summed with one SIMD gather (1.2x the scalar lookups of {@link #distance}, PERFORMANCE.md
   * §2; the graph walk keeps the scalar kernel for its few random nodes per step). Packed codes are
   * scanned with the scalar kernel.
   */
  public void scan(float[] table, int from, int to, float[] out) {
    if (packed) {
      for (int node = from; node < to; node++) {
        out[node - from] = packedDistance(table, node);
      }
      return;
    }
    int full = m - m % LANES;
    int[] index = new int[LANES];
    for (int node = from; node < to; node++) {
      long base = (long) node * m;
      FloatVector acc = FloatVector.zero(SPECIES);
      for (int j = 0; j < full; j += LANES) {
        ((IntVector) ByteVector.fromMemorySegment(BYTES, codes, base + j, ByteOrder.LITTLE_ENDIAN)
            .convertShape(VectorOperators.B2I, INTS, 0))
            .and(0xFF).add(IntVector.fromArray(INTS, rowOffsets, j)).intoArray(index, 0);
        acc = acc.add(FloatVector.fromArray(SPECIES, table, 0, index, 0));
      }
      float sum = acc.reduceLanes(VectorOperators.ADD);
      for (int j = full; j < m; j++) {
        sum += table[rowOffsets[j] + (codes.get(ValueLayout.JAVA_BYTE, base + j) & 0xff)];
      }
      out[node - from] = sum;
    }
  }
}
