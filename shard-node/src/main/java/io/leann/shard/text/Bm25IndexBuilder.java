package io.leann.shard.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a {@link Bm25Index} from texts streamed in row order: the i-th {@link #add} is row i.
 * Postings grow per term in primitive arrays; since rows arrive in order, a term's postings are
 * sorted by construction and a repeat within the current row only bumps the last freq, so each
 * token costs one hash lookup and no per-row map. {@link #build} sorts the terms and packs the
 * postings into the index's flat arrays.
 *
 * <p>Not thread-safe; single use (the builder is spent by {@link #build}).
 */
public final class Bm25IndexBuilder {
  private static final int MAX_POSTINGS = Integer.MAX_VALUE - 8;

  private final Map<String, Postings> postings = new HashMap<>();
  private byte[] norms = new byte[1024];
  private int rows;
  private int docCount;
  private long sumTotalTermFreq;
  private long postingCount;
  private boolean built;

  /** Adds the text of the next row and returns that row. */
  public int add(String text) {
    if (built) {
      throw new IllegalStateException("the builder was already used to build an index");
    }
    if (rows == Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a BM25 index holds at most " + rows + " rows");
    }
    int row = rows++;
    int[] length = {0};
    WordTokenizer.forEachToken(text, token -> {
      length[0]++;
      Postings p = postings.computeIfAbsent(token, t -> new Postings());
      if (p.append(row)) {
        postingCount++;
      }
    });
    if (postingCount > MAX_POSTINGS) {
      throw new IllegalStateException("more than " + MAX_POSTINGS + " postings: too many for one BM25 index");
    }
    if (row == norms.length) {
      norms = Arrays.copyOf(norms, norms.length * 2);
    }
    norms[row] = LengthNorm.encode(length[0]);
    if (length[0] > 0) {
      docCount++;
      sumTotalTermFreq += length[0];
    }
    return row;
  }

  /** Rows added so far. */
  public int size() {
    return rows;
  }

  /** Freezes what was added into an index scored with {@code params}. */
  public Bm25Index build(Bm25Params params) {
    if (built) {
      throw new IllegalStateException("the builder was already used to build an index");
    }
    built = true;
    String[] terms = postings.keySet().toArray(new String[0]);
    Arrays.sort(terms);
    int[] start = new int[terms.length + 1];
    int[] docs = new int[(int) postingCount];
    int[] freqs = new int[(int) postingCount];
    int at = 0;
    for (int t = 0; t < terms.length; t++) {
      Postings p = postings.remove(terms[t]);
      start[t] = at;
      System.arraycopy(p.docs, 0, docs, at, p.size);
      System.arraycopy(p.freqs, 0, freqs, at, p.size);
      at += p.size;
    }
    start[terms.length] = at;
    return new Bm25Index(rows, docCount, sumTotalTermFreq, Arrays.copyOf(norms, rows), terms, start,
        docs, freqs, params);
  }

  /** One term's growing postings. */
  private static final class Postings {
    int[] docs = new int[2];
    int[] freqs = new int[2];
    int size;

    /** Counts one occurrence in {@code row}; true if that started a new posting. */
    boolean append(int row) {
      if (size > 0 && docs[size - 1] == row) {
        freqs[size - 1]++;
        return false;
      }
      if (size == docs.length) {
        docs = Arrays.copyOf(docs, size * 2);
        freqs = Arrays.copyOf(freqs, size * 2);
      }
      docs[size] = row;
      freqs[size++] = 1;
      return true;
    }
  }
}
