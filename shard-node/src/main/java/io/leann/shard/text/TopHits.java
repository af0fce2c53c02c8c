package io.leann.shard.text;

/**
 * Keeps the best {@code k} (row, score) pairs offered to it in a binary min-heap on parallel
 * primitive arrays: the root is the worst kept hit (lowest score; among equal scores the highest
 * row), so an offer is one comparison against it when the heap is full. Not thread-safe.
 */
final class TopHits {
  private final int k;
  private final int[] rows;
  private final float[] scores;
  private int size;

  TopHits(int k) {
    this.k = k;
    this.rows = new int[k];
    this.scores = new float[k];
  }

  void offer(int row, float score) {
    if (size < k) {
      rows[size] = row;
      scores[size] = score;
      siftUp(size++);
    } else if (k > 0 && better(row, score, rows[0], scores[0])) {
      rows[0] = row;
      scores[0] = score;
      siftDown(0);
    }
  }

  /** True once {@code k} hits are kept: a new one must then beat {@link #worstScore}. */
  boolean full() {
    return k > 0 && size == k;
  }

  /** The lowest kept score; only meaningful when {@link #full}. */
  float worstScore() {
    return scores[0];
  }

  /** Empties the heap into a result, best first. */
  Bm25Hits drain() {
    int n = size;
    int[] outRows = new int[n];
    float[] outScores = new float[n];
    for (int i = n - 1; i >= 0; i--) {
      outRows[i] = rows[0];
      outScores[i] = scores[0];
      size--;
      rows[0] = rows[size];
      scores[0] = scores[size];
      siftDown(0);
    }
    return new Bm25Hits(outRows, outScores);
  }

  private static boolean better(int rowA, float scoreA, int rowB, float scoreB) {
    return scoreA > scoreB || (scoreA == scoreB && rowA < rowB);
  }

  private void siftUp(int i) {
    int row = rows[i];
    float score = scores[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!better(rows[parent], scores[parent], row, score)) {
        break;
      }
      rows[i] = rows[parent];
      scores[i] = scores[parent];
      i = parent;
    }
    rows[i] = row;
    scores[i] = score;
  }

  private void siftDown(int i) {
    int row = rows[i];
    float score = scores[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && better(rows[child], scores[child], rows[child + 1], scores[child + 1])) {
        child++;
      }
      if (!better(row, score, rows[child], scores[child])) {
        break;
      }
      rows[i] = rows[child];
      scores[i] = scores[child];
      i = child;
    }
    rows[i] = row;
    scores[i] = score;
  }
}
