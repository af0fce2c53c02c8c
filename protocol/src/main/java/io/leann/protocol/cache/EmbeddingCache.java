package io.leann.protocol.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Embeddings kept across queries, bounded by bytes and evicting the least recently used. Shards key
 * it by graph node, embed workers by passage text: either way a hit saves one model inference, the
 * dominant cost of a recompute search.
 *
 * <p>Thread-safe: the key space is split into stripes, each an access-ordered map under its own lock
 * with an equal share of the byte budget, so concurrent searches rarely contend and the total never
 * exceeds the budget. Vectors are stored and returned as given; callers must not modify them. An
 * entry is charged its float bytes plus {@link #ENTRY_OVERHEAD} for the key, map node and array header.
 *
 * @param <K> key type, with value equality
 */
public final class EmbeddingCache<K> {
  /** Bytes charged per entry beyond its floats: key, map entry and array header, roughly. */
  public static final int ENTRY_OVERHEAD = 96;
  private static final int STRIPES = 16;

  private final long capacityBytes;
  private final long stripeBudget;
  private final Stripe<K>[] stripes;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictions = new LongAdder();

  /** Counters since creation and the current fill. */
  public record Stats(long hits, long misses, long evictions, long entries, long bytes, long capacityBytes) {
    /** Hits over lookups, 0 before the first lookup. */
    public double hitRate() {
      long lookups = hits + misses;
      return lookups == 0 ? 0 : (double) hits / lookups;
    }
  }

  private static final class Stripe<K> {
    final LinkedHashMap<K, float[]> map = new LinkedHashMap<>(64, 0.75f, true);
    long bytes;
  }

  /**
   * @param capacityBytes the byte budget; 0 makes a cache that stores nothing (every lookup misses)
   */
  @SuppressWarnings("unchecked")
  public EmbeddingCache(long capacityBytes) {
    if (capacityBytes < 0) {
      throw new IllegalArgumentException("cache capacity must not be negative: " + capacityBytes);
    }
    this.capacityBytes = capacityBytes;
    this.stripeBudget = capacityBytes / STRIPES;
    this.stripes = new Stripe[STRIPES];
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe<>();
    }
  }

  /** The cached embedding of {@code key}, or null; counts a hit or a miss. */
  public float[] get(K key) {
    Stripe<K> s = stripe(key);
    float[] v;
    synchronized (s) {
      v = s.map.get(key);
    }
    (v == null ? misses : hits).increment();
    return v;
  }

  /** Caches {@code vector} under {@code key}, evicting least recently used entries of its stripe. */
  public void put(K key, float[] vector) {
    long cost = cost(vector);
    if (cost > stripeBudget) {
      return;
    }
    Stripe<K> s = stripe(key);
    synchronized (s) {
      float[] old = s.map.put(key, vector);
      s.bytes += cost - (old == null ? 0 : cost(old));
      Iterator<Map.Entry<K, float[]>> eldest = s.map.entrySet().iterator();
      while (s.bytes > stripeBudget && eldest.hasNext()) {
        Map.Entry<K, float[]> e = eldest.next();
        s.bytes -= cost(e.getValue());
        eldest.remove();
        evictions.increment();
      }
    }
  }

  public Stats stats() {
    long entries = 0;
    long bytes = 0;
    for (Stripe<K> s : stripes) {
      synchronized (s) {
        entries += s.map.size();
        bytes += s.bytes;
      }
    }
    return new Stats(hits.sum(), misses.sum(), evictions.sum(), entries, bytes, capacityBytes);
  }

  public long capacityBytes() {
    return capacityBytes;
  }

  private static long cost(float[] v) {
    return (long) v.length * Float.BYTES + ENTRY_OVERHEAD;
  }

  private Stripe<K> stripe(K key) {
    int h = key.hashCode() * 0x9E3779B9;
    return stripes[(h ^ (h >>> 16)) & (STRIPES - 1)];
  }
}
