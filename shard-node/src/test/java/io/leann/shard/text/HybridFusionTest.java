package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HybridFusionTest {
  private static void assertFused(List<Scored> expected, List<Scored> actual) {
    assertEquals(expected.size(), actual.size(), actual.toString());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).id(), actual.get(i).id(), actual.toString());
      assertEquals(expected.get(i).score(), actual.get(i).score(), 1e-12, actual.toString());
    }
  }

  @Test
  void weightsMinMaxNormalisedScores() {
    // dense a=0.9 b=0.5 c=0.1 -> 1, 0.5, 0 ; sparse b=12 d=4 a=8 -> b 1, d 0, a 0.5
    List<Scored> dense = List.of(new Scored("a", 0.9), new Scored("b", 0.5), new Scored("c", 0.1));
    List<Scored> sparse = List.of(new Scored("b", 12), new Scored("d", 4), new Scored("a", 8));
    // a: 0.6*1 + 0.4*0.5 = 0.8 ; b: 0.6*0.5 + 0.4*1 = 0.7 ; c: 0 ; d: 0
    assertFused(List.of(new Scored("a", 0.8), new Scored("b", 0.7), new Scored("c", 0), new Scored("d", 0)),
        HybridFusion.fuse(dense, sparse, 10));
    assertFused(List.of(new Scored("a", 0.8), new Scored("b", 0.7)), HybridFusion.fuse(dense, sparse, 0.6, 2));
    // w = 0.2: a 0.2 + 0.4 = 0.6 ; b 0.1 + 0.8 = 0.9
    assertFused(List.of(new Scored("b", 0.9), new Scored("a", 0.6)), HybridFusion.fuse(dense, sparse, 0.2, 2));
  }

  @Test
  void aFlatListNormalisesToOneAndMissingIdsContributeZero() {
    List<Scored> dense = List.of(new Scored("x", 3), new Scored("y", 3));
    List<Scored> sparse = List.of(new Scored("z", 5));
    // x, y: 0.6 * 1 ; z: 0.4 * 1 ; ties by id
    assertFused(List.of(new Scored("x", 0.6), new Scored("y", 0.6), new Scored("z", 0.4)),
        HybridFusion.fuse(dense, sparse, 5));
    assertFused(List.of(new Scored("z", 0.4)), HybridFusion.fuse(List.of(), sparse, 5));
    assertFused(List.of(), HybridFusion.fuse(List.of(), List.of(), 5));
  }

  @Test
  void negatedL2DistancesRankTheClosestFirst() {
    // L2 distances 0.2 (p), 1.0 (q), 1.8 (r), negated by the caller -> p 1, q 0.5, r 0
    List<Scored> dense = List.of(new Scored("p", -0.2), new Scored("q", -1.0), new Scored("r", -1.8));
    assertFused(List.of(new Scored("p", 1), new Scored("q", 0.5), new Scored("r", 0)),
        HybridFusion.fuse(dense, List.of(), 1.0, 3));
  }

  @Test
  void duplicateIdsKeepTheirBestScoreAndArgumentsAreChecked() {
    List<Scored> dense = List.of(new Scored("a", 1), new Scored("a", 3), new Scored("b", 2));
    assertFused(List.of(new Scored("a", 1), new Scored("b", 0)), HybridFusion.fuse(dense, List.of(), 1.0, 5));
    assertThrows(IllegalArgumentException.class, () -> HybridFusion.fuse(dense, dense, 1.5, 5));
    assertThrows(IllegalArgumentException.class, () -> HybridFusion.fuse(dense, dense, 0.5, -1));
    assertThrows(IllegalArgumentException.class, () -> new Scored("n", Double.NaN));
  }

  @Test
  void reciprocalRankFusionRanksByRanksAlone() {
    // Ranks: dense a1 b2 c3 d4; sparse d1 c2 x3 (its scores on a scale of their own).
    List<Scored> dense = List.of(new Scored("a", 0.91), new Scored("b", 0.9), new Scored("c", 0.2),
        new Scored("d", 0.1));
    List<Scored> sparse = List.of(new Scored("d", 1000), new Scored("c", 5), new Scored("x", 0.1));
    double a = 1.0 / 61;
    double b = 1.0 / 62;
    double c = 1.0 / 63 + 1.0 / 62;
    double d = 1.0 / 64 + 1.0 / 61;
    double x = 1.0 / 63;
    assertFused(List.of(new Scored("d", d), new Scored("c", c), new Scored("a", a), new Scored("b", b),
        new Scored("x", x)), HybridFusion.rrf(dense, sparse, 10));
    HybridFusion.Spec rrf = HybridFusion.Spec.of("rrf", null);
    assertFused(List.of(new Scored("d", d), new Scored("c", c)), HybridFusion.fuse(rrf, dense, sparse, 2));
    // Ranks follow scores, not list order; a duplicate counts once at its best rank; ties by id.
    List<Scored> shuffled = List.of(new Scored("b", 0.9), new Scored("a", 0.91), new Scored("b", 0.1));
    assertFused(List.of(new Scored("a", 1.0 / 61), new Scored("b", 1.0 / 62)),
        HybridFusion.rrf(shuffled, List.of(), 5));
    assertFused(List.of(new Scored("p", 1.0 / 61), new Scored("q", 1.0 / 61)),
        HybridFusion.rrf(List.of(new Scored("q", 3)), List.of(new Scored("p", 3)), 5));
    assertThrows(IllegalArgumentException.class, () -> HybridFusion.rrf(dense, sparse, -1));
  }

  @Test
  void theRequestNamesTheFusionAndWeightedStaysTheDefault() {
    assertEquals(null, HybridFusion.Spec.of(null, null), "no fusion, no weight: dense only");
    assertEquals(new HybridFusion.Spec(HybridFusion.Method.WEIGHTED, 0.3), HybridFusion.Spec.of(null, 0.3));
    assertEquals(new HybridFusion.Spec(HybridFusion.Method.WEIGHTED, HybridFusion.DEFAULT_VECTOR_WEIGHT),
        HybridFusion.Spec.of("weighted", null));
    assertEquals(HybridFusion.Method.RRF, HybridFusion.Spec.of(" RRF ", null).method());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HybridFusion.Spec.of("rrf", 0.5));
    assertTrue(e.getMessage().contains("weighted fusion only"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HybridFusion.Spec.of("borda", null));
    assertTrue(e.getMessage().contains("weighted or rrf"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HybridFusion.Spec.of(null, 1.5));
    // The weighted spec fuses exactly as the weighted method does.
    List<Scored> dense = List.of(new Scored("a", 0.9), new Scored("b", 0.5));
    List<Scored> sparse = List.of(new Scored("b", 12), new Scored("a", 8));
    assertFused(HybridFusion.fuse(dense, sparse, 0.3, 2),
        HybridFusion.fuse(HybridFusion.Spec.of(null, 0.3), dense, sparse, 2));
  }
}
