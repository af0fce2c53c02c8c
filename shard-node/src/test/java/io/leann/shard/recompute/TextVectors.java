package io.leann.shard.recompute;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The test "model" of the recompute tests: each character trigram of the lower-cased text, hashed
 * (FNV-1a), adds +1 or -1 to one of {@link #DIMS} dimensions. Deterministic, so an index built from
 * these vectors and a worker recomputing them agree exactly. The same function as embed-worker's
 * test embedder; shard-node cannot depend on that module.
 */
final class TextVectors {
  static final int DIMS = 64;

  private TextVectors() {}

  static float[] vector(String text) {
    float[] v = new float[DIMS];
    byte[] bytes = ("  " + text.toLowerCase(Locale.ROOT) + " ").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 3 <= bytes.length; i++) {
      int h = 0x811C9DC5;
      for (int j = i; j < i + 3; j++) {
        h = (h ^ (bytes[j] & 0xFF)) * 0x01000193;
      }
      v[Math.floorMod(h, DIMS)] += (h & 0x8000_0000) == 0 ? 1f : -1f;
    }
    return v;
  }

  /** {@code n} distinct sentences over a small vocabulary, so neighbourhoods are meaningful. */
  static List<String> sentences(int n, long seed) {
    String[] words = {"graph", "vector", "search", "embedding", "passage", "recompute", "storage",
        "query", "neighbor", "prune", "cluster", "worker", "index", "shard", "model", "token",
        "distance", "cosine", "batch", "cache", "latency", "recall", "memory", "disk"};
    SplittableRandom r = new SplittableRandom(seed);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      int len = 4 + r.nextInt(5);
      for (int w = 0; w < len; w++) {
        s.append(words[r.nextInt(words.length)]).append(' ');
      }
      out.add(s.append("item ").append(i).toString());
    }
    return out;
  }
}
