package io.leann.shard.text;

/**
 * Passages a BM25 search found, best first: descending score, ties broken by the lower row (as
 * Lucene's top-docs collector does). The arrays are owned by this record and not copied; callers
 * must not modify them.
 *
 * @param rows passage rows
 * @param scores BM25 scores, higher is better, aligned with {@code rows}
 */
public record Bm25Hits(int[] rows, float[] scores) {
  public Bm25Hits {
    if (rows.length != scores.length) {
      throw new IllegalArgumentException(rows.length + " rows but " + scores.length + " scores");
    }
  }

  public int size() {
    return rows.length;
  }
}
