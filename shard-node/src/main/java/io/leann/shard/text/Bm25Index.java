package io.leann.shard.text;

import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * An inverted index over the passage texts of one shard, scored with BM25 exactly as Lucene's
 * {@code BM25Similarity} scores it (Lucene 8 and later), so results can be checked against Lucene:
 *
 * <pre>
 *   idf(t)        = ln(1 + (N - df + 0.5) / (df + 0.5))            N: docs with at least one token
 *   avgdl         = sumTotalTermFreq / N
 *   score(t, d)   = idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 * </pre>
 * without Okapi's {@code (k1 + 1)} factor, with {@code dl} the {@linkplain LengthNorm lossy one-byte}
 * length Lucene stores, in Lucene's float arithmetic. A query is {@linkplain WordTokenizer tokenized}
 * like the passages; its words are OR-ed, a word given twice counts twice (Lucene merges repeated
 * clauses into one with boost 2), unknown words add nothing, and a passage's score is the sum over
 * query words, accumulated in double and rounded to float as Lucene's disjunctions do.
 *
 * <p>Layout: terms sorted in a {@code String[]}; postings of term {@code t} in
 * {@code docs/freqs[start[t] .. start[t + 1])}, rows strictly increasing; one norm byte per row.
 * Invariants: every term has at least one posting, every row is in {@code [0, size())}, every freq
 * is positive, and {@code sumTotalTermFreq} is the sum of all freqs. Total postings are limited to
 * what one Java array holds (about 2^31).
 *
 * <p>Immutable and thread-safe. Searches reuse per-thread scratch of {@code size()} doubles and
 * booleans plus a row list, so a search allocates only its result.
 */
public final class Bm25Index {
  private final int size;
  private final int docCount;
  private final long sumTotalTermFreq;
  private final byte[] norms;
  private final String[] terms;
  private final int[] start;
  private final int[] docs;
  private final int[] freqs;
  private final Bm25Params params;
  /** Lucene's per-norm {@code 1 / (k1 * (1 - b + b * dl / avgdl))}, so scoring is a table lookup. */
  private final float[] inverseNorms = new float[256];
  private final ThreadLocal<Scratch> scratch;

  Bm25Index(int size, int docCount, long sumTotalTermFreq, byte[] norms, String[] terms,
      int[] start, int[] docs, int[] freqs, Bm25Params params) {
    this.size = size;
    this.docCount = docCount;
    this.sumTotalTermFreq = sumTotalTermFreq;
    this.norms = norms;
    this.terms = terms;
    this.start = start;
    this.docs = docs;
    this.freqs = freqs;
    this.params = params;
    float avgdl = docCount == 0 ? 1f : (float) (sumTotalTermFreq / (double) docCount);
    for (int i = 0; i < 256; i++) {
      float dl = LengthNorm.decode((byte) i);
      inverseNorms[i] = 1f / (params.k1() * ((1 - params.b()) + params.b() * dl / avgdl));
    }
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(size));
  }

  /** Indexes the passages of {@code store} in row order, streaming them once. */
  public static Bm25Index build(PassageStore store) {
    return build(store.stream());
  }

  /** Indexes {@code passages}; the i-th passage becomes row i. */
  public static Bm25Index build(Stream<Passage> passages) {
    Bm25IndexBuilder builder = new Bm25IndexBuilder();
    passages.forEachOrdered(p -> builder.add(p.text()));
    return builder.build(Bm25Params.DEFAULT);
  }

  /** Reads an index written by {@link #save}, scored with {@link Bm25Params#DEFAULT}. */
  public static Bm25Index load(Path path) throws IOException {
    return load(path, Bm25Params.DEFAULT);
  }

  /**
   * Reads and verifies an index written by {@link #save}.
   *
   * @throws io.leann.protocol.index.IndexFormatException if the file is corrupt or not a BM25 index
   */
  public static Bm25Index load(Path path, Bm25Params params) throws IOException {
    return Bm25File.read(path, params);
  }

  /** Writes the index atomically to {@code path} (format in {@link Bm25File}). */
  public void save(Path path) throws IOException {
    Bm25File.write(this, path);
  }

  /** The same postings scored with other parameters; shares the arrays. */
  public Bm25Index withParams(Bm25Params other) {
    return new Bm25Index(size, docCount, sumTotalTermFreq, norms, terms, start, docs, freqs, other);
  }

  /** The {@code k} best-scoring passages for {@code query}. */
  public Bm25Hits search(String query, int k) {
    return search(query, k, null);
  }

  /**
   * The {@code k} best-scoring passages for {@code query} among the rows {@code accept} admits.
   *
   * @param accept row filter, or null for all rows
   * @throws IllegalArgumentException if {@code k < 1}
   */
  public Bm25Hits search(String query, int k, IntPredicate accept) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    QueryTerms q = prepare(query);
    Scratch s = scratch.get();
    try {
      for (int i = 0; i < q.count; i++) {
        accumulate(q.terms[i], q.weights[i], s);
      }
      TopHits top = new TopHits(Math.min(k, s.touchedCount));
      for (int i = 0; i < s.touchedCount; i++) {
        int row = s.touched[i];
        if (accept == null || accept.test(row)) {
          top.offer(row, (float) s.sums[row]);
        }
      }
      return top.drain();
    } finally {
      s.clear();
    }
  }

  /** The BM25 score of the passage at {@code row} for {@code query}; 0 when no query word occurs in it. */
  public float score(String query, int row) {
    return scores(query, new int[] {row})[0];
  }

  /** The BM25 scores of the passages at {@code rows} for {@code query}, aligned with {@code rows}. */
  public float[] scores(String query, int[] rows) {
    for (int row : rows) {
      checkRow(row);
    }
    QueryTerms q = prepare(query);
    double[] sums = new double[rows.length];
    for (int i = 0; i < q.count; i++) {
      int t = q.terms[i];
      float weight = q.weights[i];
      for (int r = 0; r < rows.length; r++) {
        int p = Arrays.binarySearch(docs, start[t], start[t + 1], rows[r]);
        if (p >= 0) {
          sums[r] += termScore(weight, freqs[p], rows[r]);
        }
      }
    }
    float[] out = new float[rows.length];
    for (int r = 0; r < rows.length; r++) {
      out[r] = (float) sums[r];
    }
    return out;
  }

  /** Number of rows, including passages without any token. */
  public int size() {
    return size;
  }

  /** Rows with at least one token: BM25's N. */
  public int docCount() {
    return docCount;
  }

  public long sumTotalTermFreq() {
    return sumTotalTermFreq;
  }

  /** Distinct terms. */
  public int termCount() {
    return terms.length;
  }

  /** Rows containing {@code term} (already a token: lower-cased, no separators). */
  public int docFreq(String term) {
    int t = Arrays.binarySearch(terms, term);
    return t < 0 ? 0 : start[t + 1] - start[t];
  }

  public Bm25Params params() {
    return params;
  }

  /** Approximate heap bytes of the postings, norms and term dictionary. */
  public long byteSize() {
    long bytes = norms.length + 4L * start.length + 8L * docs.length;
    for (String term : terms) {
      bytes += 40 + 2L * term.length();
    }
    return bytes;
  }

  byte[] norms() {
    return norms;
  }

  String[] terms() {
    return terms;
  }

  int[] start() {
    return start;
  }

  int[] docs() {
    return docs;
  }

  int[] freqs() {
    return freqs;
  }

  private void accumulate(int t, float weight, Scratch s) {
    double[] sums = s.sums;
    boolean[] seen = s.seen;
    for (int p = start[t], end = start[t + 1]; p < end; p++) {
      int row = docs[p];
      if (!seen[row]) {
        seen[row] = true;
        s.touched[s.touchedCount++] = row;
      }
      sums[row] += termScore(weight, freqs[p], row);
    }
  }

  /**
   * Lucene's {@code BM25Scorer.score}: {@code weight * freq / (freq + norm)} rewritten as
   * {@code weight - weight / (1 + freq / norm)}, in float, because that is what makes the scores
   * bit-identical to Lucene's rather than merely close.
   */
  private float termScore(float weight, int freq, int row) {
    float inverseNorm = inverseNorms[Byte.toUnsignedInt(norms[row])];
    return weight - weight / (1f + freq * inverseNorm);
  }

  /** Distinct known query terms with Lucene's clause weight: occurrences times idf. */
  private QueryTerms prepare(String query) {
    Map<Integer, Integer> occurrences = new HashMap<>();
    WordTokenizer.forEachToken(query, token -> {
      int t = Arrays.binarySearch(terms, token);
      if (t >= 0) {
        occurrences.merge(t, 1, Integer::sum);
      }
    });
    QueryTerms q = new QueryTerms(occurrences.size());
    occurrences.forEach((t, count) -> {
      q.terms[q.count] = t;
      q.weights[q.count++] = count * idf(start[t + 1] - start[t]);
    });
    return q;
  }

  private float idf(int docFreq) {
    return (float) Math.log(1 + (docCount - docFreq + 0.5D) / (docFreq + 0.5D));
  }

  private void checkRow(int row) {
    if (row < 0 || row >= size) {
      throw new IndexOutOfBoundsException("row " + row + " is out of range: the index holds " + size + " rows");
    }
  }

  private static final class QueryTerms {
    final int[] terms;
    final float[] weights;
    int count;

    QueryTerms(int capacity) {
      terms = new int[capacity];
      weights = new float[capacity];
    }
  }

  /** Per-thread accumulators; {@link #clear} resets only the rows a search touched. */
  private static final class Scratch {
    final double[] sums;
    final boolean[] seen;
    final int[] touched;
    int touchedCount;

    Scratch(int size) {
      sums = new double[size];
      seen = new boolean[size];
      touched = new int[size];
    }

    void clear() {
      for (int i = 0; i < touchedCount; i++) {
        int row = touched[i];
        sums[row] = 0;
        seen[row] = false;
      }
      touchedCount = 0;
    }
  }
}
