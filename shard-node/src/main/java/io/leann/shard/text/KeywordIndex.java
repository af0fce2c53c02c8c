package io.leann.shard.text;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.passages.PassageStore;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.Weight;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.NoLockFactory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The keyword side of hybrid search: a Lucene index over the passage texts of one generation,
 * scored with Lucene's {@link BM25Similarity} ({@code k1 = 1.2}, {@code b = 0.75}, Lucene's and
 * LEANN's defaults). A query is analysed as the passages were ({@link TextAnalyzer}); its words are
 * OR-ed, a word given twice counts twice, unknown words add nothing. Results are passage rows, best
 * first, ties broken by the lower row, so they do not depend on Lucene's document order.
 *
 * <p>Each Lucene document holds the passage text ({@value #TEXT}: frequencies and norms, no
 * positions, nothing stored), its passage row ({@value #ROW}, a doc value, which an in-place
 * update rewrites when rows move) and a key ({@value #KEY}, one indexed term) by which updates find
 * it. Lucene renumbers documents when it merges segments, so the document-to-row table is read
 * from the doc values at open. Invariants after {@link #open}: every live document names a
 * distinct row in {@code [0, passages)}, so every row has exactly one live document.
 *
 * <p>Integrity: every file of the directory is checked against its Lucene checksum (CRC32 footer)
 * before the index is opened; a failing file is an {@link IndexFormatException} naming it.
 *
 * <p>Thread-safe: searches share the reader and run concurrently. {@link #close} unmaps the files;
 * no search may run after it.
 */
public final class KeywordIndex implements AutoCloseable {
  /** Field with the analysed passage text. */
  static final String TEXT = "text";
  /**
   * Field with the document's key, a single untokenised term unique in the index and in every
   * index updated from it, by which an update deletes or moves the document.
   */
  static final String KEY = "key";
  /** Doc-values field with the passage row of the document. */
  static final String ROW = "row";
  static final BM25Similarity SIMILARITY = new BM25Similarity(1.2f, 0.75f);

  private final Directory directory;
  private final DirectoryReader reader;
  private final IndexSearcher searcher;
  private final TextAnalyzer textAnalyzer;
  private final Analyzer analyzer;
  /** Passage row of each Lucene document (docBase + doc); -1 for deleted documents. */
  private final int[] rows;
  private final int size;

  private KeywordIndex(Directory directory, DirectoryReader reader, TextAnalyzer textAnalyzer, int[] rows,
      int size) {
    this.directory = directory;
    this.reader = reader;
    this.searcher = new IndexSearcher(reader);
    this.searcher.setSimilarity(SIMILARITY);
    this.textAnalyzer = textAnalyzer;
    this.analyzer = textAnalyzer.newAnalyzer();
    this.rows = rows;
    this.size = size;
  }

  /**
   * The keyword index of a generation whose passages are {@code passages}.
   *
   * @param dir the generation's keyword index directory
   * @param recorded the analyzer the meta records; null for an index built before keyword indexes
   *     were Lucene's, whose passages are then indexed now, in memory, with {@link TextAnalyzer#LEGACY}
   *     (its BM25 file, if any, is not read: the rebuild ranks exactly as it did)
   * @throws IndexFormatException naming the file if a file is missing, fails its checksum, or the
   *     index does not hold exactly the passages of {@code passages}
   */
  public static KeywordIndex open(Path dir, TextAnalyzer recorded, PassageStore passages) throws IOException {
    if (recorded == null) {
      Directory memory = new ByteBuffersDirectory();
      try {
        try (KeywordIndexWriter writer = KeywordIndexWriter.create(memory, TextAnalyzer.LEGACY)) {
          writer.addAll(passages);
          writer.commit();
        }
        return open(memory, dir, TextAnalyzer.LEGACY, passages);
      } catch (IOException | RuntimeException e) {
        memory.close();
        throw e;
      }
    }
    if (!Files.isDirectory(dir)) {
      throw new IndexFormatException(dir, "missing: the meta records a keyword index (text analyzer '"
          + recorded.id() + "')");
    }
    verifyChecksums(dir);
    Directory fs = FSDirectory.open(dir, NoLockFactory.INSTANCE);
    try {
      return open(fs, dir, recorded, passages);
    } catch (IOException | RuntimeException e) {
      fs.close();
      throw e;
    }
  }

  private static KeywordIndex open(Directory directory, Path dir, TextAnalyzer analyzer, PassageStore passages)
      throws IOException {
    long count = passages.size();
    DirectoryReader reader = readerOf(directory, dir, count);
    try {
      return new KeywordIndex(directory, reader, analyzer, rowsOfDocuments(dir, reader, count), (int) count);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /** A reader of the commit in {@code directory}, which must hold {@code passages} live documents. */
  private static DirectoryReader readerOf(Directory directory, Path dir, long passages) throws IOException {
    DirectoryReader reader;
    try {
      reader = DirectoryReader.open(directory);
    } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException | EOFException
        | NoSuchFileException | FileNotFoundException e) {
      throw new IndexFormatException(dir, "is not a readable Lucene index: " + e.getMessage(), e);
    }
    if (reader.numDocs() != passages) {
      reader.close();
      throw new IndexFormatException(dir, "keyword index covers " + reader.numDocs() + " passages, the index has "
          + passages);
    }
    return reader;
  }

  /**
   * Checks every file of the Lucene index in {@code dir} against the checksum in its footer.
   *
   * @throws IndexFormatException naming the first file that fails, or {@code dir} if it holds no commit
   */
  public static void verifyChecksums(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(Files::isRegularFile).sorted().toList();
    }
    if (files.stream().noneMatch(f -> f.getFileName().toString().startsWith("segments_"))) {
      throw new IndexFormatException(dir, "holds no Lucene commit (no segments_N file)");
    }
    try (Directory d = FSDirectory.open(dir, NoLockFactory.INSTANCE)) {
      for (Path file : files) {
        try (IndexInput in = d.openInput(file.getFileName().toString(), IOContext.READONCE)) {
          CodecUtil.checksumEntireFile(in);
        } catch (CorruptIndexException | EOFException e) {
          throw new IndexFormatException(file, "fails its Lucene checksum: " + e.getMessage(), e);
        }
      }
    }
  }

  /** The row of every live document, from its row doc value; verifies the one-to-one invariant. */
  private static int[] rowsOfDocuments(Path dir, DirectoryReader reader, long passages) throws IOException {
    int[] rows = new int[reader.maxDoc()];
    Arrays.fill(rows, -1);
    BitSet covered = new BitSet((int) passages);
    for (LeafReaderContext leaf : reader.leaves()) {
      NumericDocValues values = leaf.reader().getNumericDocValues(ROW);
      Bits live = leaf.reader().getLiveDocs();
      for (int d = 0; d < leaf.reader().maxDoc(); d++) {
        if (live != null && !live.get(d)) {
          continue;
        }
        long row = values != null && values.advanceExact(d) ? values.longValue() : -1;
        if (row < 0 || row >= passages || covered.get((int) row)) {
          throw new IndexFormatException(dir, "keyword index document " + (leaf.docBase + d)
              + (row < 0 ? " has no passage row" : " names passage row " + row + ", which is "
                  + (row >= passages ? "beyond the " + passages + " passages" : "another document's too")));
        }
        rows[leaf.docBase + d] = (int) row;
        covered.set((int) row);
      }
    }
    return rows;
  }

  /**
   * The key of each passage row of the index in {@code dir} (the term that deletes or moves it in
   * place), checksummed and verified as {@link #open} does.
   */
  static String[] keysOfRows(Path dir, long passages) throws IOException {
    verifyChecksums(dir);
    try (Directory d = FSDirectory.open(dir, NoLockFactory.INSTANCE);
        DirectoryReader reader = readerOf(d, dir, passages)) {
      int[] rows = rowsOfDocuments(dir, reader, passages);
      String[] keys = new String[(int) passages];
      PostingsEnum postings = null;
      for (LeafReaderContext leaf : reader.leaves()) {
        Terms terms = leaf.reader().terms(KEY);
        if (terms == null) {
          continue;
        }
        Bits live = leaf.reader().getLiveDocs();
        TermsEnum all = terms.iterator();
        for (BytesRef key = all.next(); key != null; key = all.next()) {
          postings = all.postings(postings, PostingsEnum.NONE);
          for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
            if (live == null || live.get(doc)) {
              int row = rows[leaf.docBase + doc];
              if (keys[row] != null) {
                throw new IndexFormatException(dir, "keyword index row " + row + " has two keys");
              }
              keys[row] = key.utf8ToString();
            }
          }
        }
      }
      for (int row = 0; row < keys.length; row++) {
        if (keys[row] == null) {
          throw new IndexFormatException(dir, "keyword index row " + row + " has no key");
        }
      }
      return keys;
    }
  }

  /** The {@code k} best-scoring passages for {@code query}. */
  public Bm25Hits search(String query, int k) {
    return search(query, k, null);
  }

  /**
   * The {@code k} best-scoring passages for {@code query} among the rows {@code accept} admits.
   *
   * @param accept row filter, or null for all rows
   * @throws IllegalArgumentException if {@code k < 1}, or the query has more distinct words than
   *     Lucene's clause limit
   * @throws UncheckedIOException if the index files cannot be read
   */
  public Bm25Hits search(String query, int k, IntPredicate accept) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive: " + k);
    }
    TopHits top = new TopHits(Math.min(k, size));
    try {
      Query q = query(query);
      if (q == null || size == 0) {
        return top.drain();
      }
      Weight weight = searcher.createWeight(searcher.rewrite(q), ScoreMode.TOP_SCORES, 1f);
      for (LeafReaderContext leaf : reader.leaves()) {
        BulkScorer scorer = weight.bulkScorer(leaf);
        if (scorer != null) {
          scorer.score(new RowCollector(leaf.docBase, top), accepted(leaf, accept), 0, DocIdSetIterator.NO_MORE_DOCS);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the keyword index: " + e.getMessage(), e);
    }
    return top.drain();
  }

  /** Passages indexed: the passage count of the generation. */
  public int size() {
    return size;
  }

  public TextAnalyzer analyzer() {
    return textAnalyzer;
  }

  /**
   * The OR of the query's distinct terms, each boosted by how often the query repeats it (as Lucene
   * scores repeated clauses); null when the query has no term the analyzer keeps.
   */
  private Query query(String text) throws IOException {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream tokens = analyzer.tokenStream(TEXT, text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        counts.merge(term.toString(), 1, Integer::sum);
      }
      tokens.end();
    }
    if (counts.isEmpty()) {
      return null;
    }
    if (counts.size() > IndexSearcher.getMaxClauseCount()) {
      throw new IllegalArgumentException("the query has " + counts.size() + " distinct words; keyword search takes"
          + " at most " + IndexSearcher.getMaxClauseCount());
    }
    BooleanQuery.Builder or = new BooleanQuery.Builder();
    counts.forEach((term, count) -> {
      Query clause = new TermQuery(new Term(TEXT, term));
      or.add(count == 1 ? clause : new BoostQuery(clause, count), BooleanClause.Occur.SHOULD);
    });
    return or.build();
  }

  /** Live documents of {@code leaf} whose row {@code accept} admits. */
  private Bits accepted(LeafReaderContext leaf, IntPredicate accept) {
    Bits live = leaf.reader().getLiveDocs();
    if (accept == null) {
      return live;
    }
    int base = leaf.docBase;
    int maxDoc = leaf.reader().maxDoc();
    return new Bits() {
      @Override
      public boolean get(int doc) {
        return (live == null || live.get(doc)) && accept.test(rows[base + doc]);
      }

      @Override
      public int length() {
        return maxDoc;
      }
    };
  }

  /**
   * Offers each hit of one segment to the shared top-k by row; once it is full, tells Lucene the
   * score below which nothing can enter (equal scores still can, for the tie on rows).
   */
  private final class RowCollector implements LeafCollector {
    private final int base;
    private final TopHits top;
    private Scorable scorer;

    RowCollector(int base, TopHits top) {
      this.base = base;
      this.top = top;
    }

    @Override
    public void setScorer(Scorable scorer) {
      this.scorer = scorer;
    }

    @Override
    public void collect(int doc) throws IOException {
      top.offer(rows[base + doc], scorer.score());
      if (top.full()) {
        scorer.setMinCompetitiveScore(top.worstScore());
      }
    }
  }

  @Override
  public void close() throws IOException {
    try (directory; reader; analyzer) {
      // Closed in reverse order: the analyzer, the reader, then the directory under it.
    }
  }
}
