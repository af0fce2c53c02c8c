package io.leann.protocol.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EmbeddingCacheTest {
  private static final int DIMS = 64;
  private static final long ENTRY = DIMS * 4L + EmbeddingCache.ENTRY_OVERHEAD;

  private static float[] vectorOf(int key) {
    float[] v = new float[DIMS];
    for (int d = 0; d < DIMS; d++) {
      v[d] = key * 1000 + d;
    }
    return v;
  }

  @Test
  void staysWithinItsByteBoundAndEvictsTheLeastRecentlyUsed() {
    EmbeddingCache<Integer> cache = new EmbeddingCache<>(16 * 8 * ENTRY); // 8 entries per stripe
    for (int key = 0; key < 5000; key++) {
      cache.put(key, vectorOf(key));
      assertTrue(cache.stats().bytes() <= cache.capacityBytes(), "over budget after " + key);
    }
    EmbeddingCache.Stats s = cache.stats();
    assertTrue(s.entries() <= 128 && s.entries() > 64, s.toString());
    assertEquals(5000 - s.entries(), s.evictions());
    assertNull(cache.get(0), "the oldest entries went first");
    assertNotNull(cache.get(4999));

    // Touching an entry keeps it: fill its stripe with newer keys and it is still there.
    EmbeddingCache<Integer> lru = new EmbeddingCache<>(16 * 2 * ENTRY); // 2 entries per stripe
    lru.put(1, vectorOf(1));
    List<Integer> sameStripe = new ArrayList<>();
    for (int key = 2; sameStripe.size() < 3; key++) {
      EmbeddingCache<Integer> probe = new EmbeddingCache<>(16 * ENTRY);
      probe.put(1, vectorOf(1));
      probe.put(key, vectorOf(key));
      if (probe.get(1) == null) { // one entry per stripe: key landed in 1's stripe and evicted it
        sameStripe.add(key);
      }
    }
    lru.put(sameStripe.get(0), vectorOf(sameStripe.get(0)));
    assertNotNull(lru.get(1)); // now most recent
    lru.put(sameStripe.get(1), vectorOf(sameStripe.get(1)));
    assertNotNull(lru.get(1), "recently used entry survived");
    assertNull(lru.get(sameStripe.get(0)), "the least recently used one was evicted");
  }

  @Test
  void zeroCapacityStoresNothingAndCountsMisses() {
    EmbeddingCache<String> cache = new EmbeddingCache<>(0);
    cache.put("a", vectorOf(1));
    assertNull(cache.get("a"));
    assertEquals(new EmbeddingCache.Stats(0, 1, 0, 0, 0, 0), cache.stats());
  }

  @Test
  void concurrentUsersNeverSeeAWrongVectorAndTheBoundHolds() throws Exception {
    EmbeddingCache<Integer> cache = new EmbeddingCache<>(200 * ENTRY);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = t;
        futures.add(pool.submit(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          long hits = 0;
          for (int i = 0; i < 50_000; i++) {
            int key = r.nextInt(600);
            float[] v = cache.get(key);
            if (v == null) {
              cache.put(key, vectorOf(key));
            } else {
              hits++;
              if (v[0] != key * 1000 || v[DIMS - 1] != key * 1000 + DIMS - 1) {
                throw new AssertionError("key " + key + " returned the vector of " + v[0] / 1000);
              }
            }
            if (cache.stats().bytes() > cache.capacityBytes()) {
              throw new AssertionError("over budget: " + cache.stats());
            }
          }
          return hits;
        }));
      }
      long hits = 0;
      for (Future<Long> f : futures) {
        hits += f.get();
      }
      EmbeddingCache.Stats s = cache.stats();
      assertEquals(hits, s.hits());
      assertEquals(8 * 50_000L, s.hits() + s.misses());
      assertTrue(s.hitRate() > 0.1 && s.hitRate() < 0.6, "200 of 600 keys fit: " + s);
      assertEquals(s.entries() * ENTRY, s.bytes());
    } finally {
      pool.shutdownNow();
    }
  }
}
