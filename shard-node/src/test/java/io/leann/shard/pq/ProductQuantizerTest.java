package io.leann.shard.pq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.ScalarDistances;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProductQuantizerTest {
  private static final int DIMS = 32;

  private static ArrayVectors clustered(int n, long seed, boolean unit) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] centres = new float[20][DIMS];
    for (float[] c : centres) {
      for (int d = 0; d < DIMS; d++) {
        c[d] = (float) (r.nextDouble() * 4 - 2);
      }
    }
    float[] data = new float[n * DIMS];
    for (int i = 0; i < n; i++) {
      float[] c = centres[r.nextInt(centres.length)];
      for (int d = 0; d < DIMS; d++) {
        data[i * DIMS + d] = c[d] + (float) (r.nextDouble() - 0.5) * 0.6f;
      }
    }
    ArrayVectors v = new ArrayVectors(data, DIMS);
    if (unit) {
      v.normaliseRows();
    }
    return v;
  }

  private static float[] row(ArrayVectors v, int i) {
    float[] out = new float[v.dims()];
    v.copyTo(i, out);
    return out;
  }

  @Test
  void reconstructionErrorIsSmallAgainstTheDataSpreadAndShrinksWithMoreSubspaces() {
    ArrayVectors data = clustered(3000, 1, false);
    double coarse = meanSquaredError(data, ProductQuantizer.train(data, new PqParams(4, 8, 3000, 15, 7)));
    double fine = meanSquaredError(data, ProductQuantizer.train(data, new PqParams(16, 8, 3000, 15, 7)));
    double spread = 0;
    float[] mean = new float[DIMS];
    for (int i = 0; i < data.size(); i++) {
      float[] x = row(data, i);
      for (int d = 0; d < DIMS; d++) {
        mean[d] += x[d] / data.size();
      }
    }
    for (int i = 0; i < data.size(); i++) {
      spread += ScalarDistances.squaredL2(row(data, i), mean) / data.size();
    }
    assertTrue(coarse < 0.1 * spread, "4-subspace error " + coarse + " vs spread " + spread);
    assertTrue(fine < coarse, "16 subspaces (" + fine + ") beat 4 (" + coarse + ")");
  }

  private static double meanSquaredError(ArrayVectors data, ProductQuantizer pq) {
    byte[] codes = pq.encodeAll(data);
    double total = 0;
    for (int i = 0; i < data.size(); i++) {
      total += ScalarDistances.squaredL2(row(data, i), pq.decode(codes, i * pq.codeBytes()));
    }
    return total / data.size();
  }

  @Test
  void adcDistanceEqualsTheExactDistanceToTheDecodedVectorForEveryMetric() {
    ArrayVectors data = clustered(1500, 2, true);
    // 16 subspaces fill whole SIMD blocks of the scan; 8 leave it to its scalar tail (16 lanes here).
    for (int m : new int[] {16, 8}) {
      ProductQuantizer pq = ProductQuantizer.train(data, new PqParams(m, 8, 1500, 10, 3));
      checkAdc(data, pq);
    }
  }

  @Test
  void codesOfAtMostFourBitsArePackedTwoToAByteAndGiveTheSameDistances() {
    ArrayVectors data = clustered(600, 8, true);
    for (int bits : new int[] {3, 4}) {
      for (int m : new int[] {1, 8, 32}) {
        ProductQuantizer pq = ProductQuantizer.train(data, new PqParams(m, bits, 600, 8, 5));
        assertTrue(pq.packed());
        PqCodes codes = PqCodes.of(pq, pq.encodeAll(data));
        assertEquals((long) data.size() * ((m + 1) / 2), codes.byteSize(), m + " codes of " + bits + " bits");
        checkAdc(data, pq);
        // The stored form loads as it was written.
        PqCodes loaded = new PqCodes(pq, MemorySegment.ofArray(codes.segment().toArray(
            java.lang.foreign.ValueLayout.JAVA_BYTE)), data.size());
        float[] table = new float[pq.tableSize()];
        pq.lookupTable(row(data, 3), Metric.COSINE, table);
        assertEquals(codes.distance(table, 7), loaded.distance(table, 7));
      }
    }
    ProductQuantizer threeBits = ProductQuantizer.train(data, new PqParams(8, 3, 600, 8, 5));
    byte[] codes = threeBits.encodeAll(data);
    codes[9] = 9;
    IllegalArgumentException badCode = assertThrows(IllegalArgumentException.class, () -> PqCodes.of(threeBits, codes));
    assertTrue(badCode.getMessage().contains("node 1 names centroid 9 of 8"), badCode.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PqCodes(threeBits, MemorySegment.ofArray(new byte[4 * 3]), 4),
        "8 packed codes take 4 bytes per node, not 3");
  }

  private static void checkAdc(ArrayVectors data, ProductQuantizer pq) {
    PqCodes codes = PqCodes.of(pq, pq.encodeAll(data));
    float[] query = row(clustered(1, 99, true), 0);
    for (Metric metric : Metric.values()) {
      float[] table = new float[pq.tableSize()];
      pq.lookupTable(query, metric, table);
      float[] scanned = new float[data.size()];
      codes.scan(table, 0, data.size(), scanned);
      byte[] all = pq.encodeAll(data);
      for (int i = 0; i < data.size(); i++) {
        assertEquals(codes.distance(table, i), scanned[i], 1e-4f, "SIMD scan, node " + i);
        if (i < 40) {
          float[] decoded = pq.decode(all, i * pq.codeBytes());
          float exact = metric == Metric.L2 ? ScalarDistances.squaredL2(query, decoded)
              : -ScalarDistances.dot(query, decoded);
          assertEquals(exact, codes.distance(table, i), 1e-4f, metric + " node " + i);
        }
      }
    }
  }

  @Test
  void adcRanksNeighboursLikeExactDistances() {
    ArrayVectors data = clustered(4000, 3, true);
    ProductQuantizer pq = ProductQuantizer.train(data, new PqParams(16, 8, 4000, 15, 5));
    PqCodes codes = PqCodes.of(pq, pq.encodeAll(data));
    float[] table = new float[pq.tableSize()];
    ArrayVectors queries = clustered(30, 77, true);
    int found = 0;
    for (int q = 0; q < queries.size(); q++) {
      float[] query = row(queries, q);
      pq.lookupTable(query, Metric.COSINE, table);
      float[] approx = new float[data.size()];
      codes.scan(table, 0, data.size(), approx);
      int best = 0;
      for (int i = 1; i < data.size(); i++) {
        if (-data.dot(query, i) < -data.dot(query, best)) {
          best = i;
        }
      }
      // The true nearest neighbour ranks among the 20 best by PQ distance.
      int better = 0;
      for (float a : approx) {
        better += a < approx[best] ? 1 : 0;
      }
      found += better < 20 ? 1 : 0;
    }
    assertTrue(found >= 28, "true nearest in PQ top-20 for " + found + " of 30 queries");
  }

  @Test
  void serialisedCodebooksRoundTripAndCorruptionIsNamed() {
    ArrayVectors data = clustered(600, 4, false);
    ProductQuantizer pq = ProductQuantizer.train(data, new PqParams(8, 6, 600, 5, 1));
    ProductQuantizer back = ProductQuantizer.fromSegment(pq.toSegment());
    assertArrayEquals(pq.encodeAll(data), back.encodeAll(data));
    assertEquals(64, back.centroids());
    MemorySegment seg = pq.toSegment();
    IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
        () -> ProductQuantizer.fromSegment(seg.asSlice(0, seg.byteSize() - 4)));
    assertTrue(truncated.getMessage().contains("codebook section has"), truncated.getMessage());
    MemorySegment badHeader = MemorySegment.ofArray(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
    badHeader.set(io.leann.protocol.index.LittleEndian.INT, 4, 7);
    assertThrows(IllegalArgumentException.class, () -> ProductQuantizer.fromSegment(badHeader));
    byte[] codes = pq.encodeAll(data);
    codes[5] = (byte) 200;
    IllegalArgumentException badCode = assertThrows(IllegalArgumentException.class, () -> PqCodes.of(pq, codes));
    assertTrue(badCode.getMessage().contains("centroid 200 of 64"), badCode.getMessage());
  }

  @Test
  void trainingIsReproducibleAndChecksItsInput() {
    ArrayVectors data = clustered(800, 5, false);
    PqParams p = new PqParams(4, 8, 500, 8, 11);
    assertArrayEquals(ProductQuantizer.train(data, p).encodeAll(data), ProductQuantizer.train(data, p).encodeAll(data));
    assertThrows(IllegalArgumentException.class, () -> ProductQuantizer.train(data, p.withSubspaces(5)));
    assertThrows(IllegalArgumentException.class, () -> new PqParams(4, 9, 10, 1, 0));
    assertEquals(48, PqParams.forDims(384, 32).subspaces());
    assertEquals(96, PqParams.forDims(768, 32).subspaces());
  }
}
