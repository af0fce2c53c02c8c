package io.leann.shard.text;

import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.passages.PassageStore;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NoLockFactory;

/**
 * Writes the {@link KeywordIndex} of a generation: afresh ({@link #create}), or in place from the
 * previous generation's ({@link #copyOf}): its files are hard-linked into the new directory
 * (Lucene never rewrites a file, so the two generations can share them), then only the removed
 * passages are deleted, the kept ones given their new rows (a doc-values update, no analysis) and
 * the added ones analysed; the previous generation stays as it was. {@link #write} does either
 * for a whole generation.
 *
 * <p>Each document gets a key no other document of its index lineage has had: a counter kept in
 * the Lucene commit's user data ({@value #NEXT_KEY}), carried from commit to commit.
 *
 * <p>{@link #commit} makes the result exact: segments that lost documents are merged so that
 * Lucene's BM25 statistics (document count, frequencies, average length), which count deleted
 * documents until their segment is merged, are those of a fresh build of the same passages, and a
 * fresh build is merged into one segment. Nothing is visible before {@link #commit}; closing
 * without it leaves the directory without a new commit. The caller's generation directory (or
 * its absence from the meta) is what makes the result atomic.
 *
 * <p>Not thread-safe; one writer per directory (no Lucene lock file: the index directory's writer
 * lock already excludes other writers).
 */
public final class KeywordIndexWriter implements AutoCloseable {
  /** Commit user data: the next document key, base 36. */
  private static final String NEXT_KEY = "next_key";
  /** Frequencies and norms for BM25; no positions (no phrase queries), nothing stored. */
  private static final FieldType TEXT_TYPE = new FieldType();

  static {
    TEXT_TYPE.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
    TEXT_TYPE.setTokenized(true);
    TEXT_TYPE.setStored(false);
    TEXT_TYPE.freeze();
  }

  /** Closed with the writer, or null when the caller owns the directory. */
  private final Directory owned;
  private final Analyzer analyzer;
  private final IndexWriter writer;
  private final boolean fresh;
  /** Key of each row of the index this one starts from; empty for a fresh index. */
  private final String[] previousKeys;
  private long nextKey;
  private boolean deleted;

  private KeywordIndexWriter(Directory directory, boolean owned, TextAnalyzer textAnalyzer, String[] previousKeys,
      long nextKey) throws IOException {
    this.owned = owned ? directory : null;
    this.analyzer = textAnalyzer.newAnalyzer();
    this.fresh = previousKeys.length == 0 && nextKey == 0;
    this.previousKeys = previousKeys;
    this.nextKey = nextKey;
    TieredMergePolicy merges = new TieredMergePolicy();
    merges.setForceMergeDeletesPctAllowed(0);
    IndexWriterConfig config = new IndexWriterConfig(analyzer)
        .setOpenMode(fresh ? IndexWriterConfig.OpenMode.CREATE : IndexWriterConfig.OpenMode.APPEND)
        .setSimilarity(KeywordIndex.SIMILARITY)
        .setMergePolicy(merges)
        .setMergeScheduler(new SerialMergeScheduler())
        .setUseCompoundFile(true)
        .setCommitOnClose(false);
    try {
      this.writer = new IndexWriter(directory, config);
    } catch (IOException | RuntimeException e) {
      analyzer.close();
      throw e;
    }
  }

  /** Writes the keyword index of all of {@code passages} into {@code dir}, afresh. */
  public static void build(Path dir, TextAnalyzer analyzer, PassageStore passages) throws IOException {
    try (KeywordIndexWriter writer = create(dir, analyzer)) {
      writer.addAll(passages);
      writer.commit();
    }
  }

  /**
   * Writes the keyword index of a new generation into {@code dir}: in place from {@code previous}
   * when given, afresh otherwise.
   *
   * @param previous the previous generation's keyword index (written with {@code analyzer}), or null
   * @param previousRows passages of the previous generation
   * @param previousRowOf the previous row whose passage (same text) row {@code r} of {@code passages}
   *     is, or -1 for a passage that is new; no previous row may be named twice
   * @throws io.leann.protocol.index.IndexFormatException if {@code previous} is corrupt
   */
  public static void write(Path previous, long previousRows, LongUnaryOperator previousRowOf, Path dir,
      TextAnalyzer analyzer, PassageStore passages) throws IOException {
    if (previous == null) {
      build(dir, analyzer, passages);
      return;
    }
    try (KeywordIndexWriter writer = copyOf(previous, previousRows, dir, analyzer)) {
      BitSet kept = new BitSet((int) previousRows);
      for (long row = 0; row < passages.size(); row++) {
        long from = previousRowOf.applyAsLong(row);
        if (from < 0) {
          writer.add(row, passages.get(row).text());
        } else if (from >= previousRows || kept.get((int) from)) {
          throw new IllegalArgumentException("previous row " + from + " is out of range or named twice");
        } else {
          writer.move(from, row);
          kept.set((int) from);
        }
      }
      for (int from = kept.nextClearBit(0); from < previousRows; from = kept.nextClearBit(from + 1)) {
        writer.delete(from);
      }
      writer.commit();
    }
  }

  /** A writer of a new, empty keyword index in {@code dir} (created if absent). */
  public static KeywordIndexWriter create(Path dir, TextAnalyzer analyzer) throws IOException {
    Files.createDirectories(dir);
    Directory directory = FSDirectory.open(dir, NoLockFactory.INSTANCE);
    try {
      return new KeywordIndexWriter(directory, true, analyzer, new String[0], 0);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** A writer of a new keyword index in {@code directory}, which the caller closes. */
  static KeywordIndexWriter create(Directory directory, TextAnalyzer analyzer) throws IOException {
    return new KeywordIndexWriter(directory, false, analyzer, new String[0], 0);
  }

  /**
   * A writer of {@code dir} starting from the keyword index of {@code previousRows} passages in
   * {@code previous}, which must have been written with {@code analyzer}, and which is checksummed
   * and verified first (a corrupt index is not carried forward). Files are hard-linked where the
   * file system allows, copied otherwise.
   *
   * @throws io.leann.protocol.index.IndexFormatException if {@code previous} is corrupt
   */
  public static KeywordIndexWriter copyOf(Path previous, long previousRows, Path dir, TextAnalyzer analyzer)
      throws IOException {
    String[] keys = KeywordIndex.keysOfRows(previous, previousRows);
    Files.createDirectories(dir);
    List<Path> files;
    try (Stream<Path> list = Files.list(previous)) {
      files = list.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      Path target = dir.resolve(file.getFileName().toString());
      try {
        Files.createLink(target, file);
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.copy(file, target);
      }
    }
    Directory directory = FSDirectory.open(dir, NoLockFactory.INSTANCE);
    try {
      String next = SegmentInfos.readLatestCommit(directory).getUserData().get(NEXT_KEY);
      if (next == null) {
        throw new IndexFormatException(previous, "keyword index records no " + NEXT_KEY);
      }
      return new KeywordIndexWriter(directory, true, analyzer, keys, Long.parseLong(next, Character.MAX_RADIX));
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** Indexes the text of the passage at {@code row} of the new generation. */
  public void add(long row, String text) throws IOException {
    Document doc = new Document();
    doc.add(new StringField(KeywordIndex.KEY, Long.toString(nextKey++, Character.MAX_RADIX), Field.Store.NO));
    doc.add(new NumericDocValuesField(KeywordIndex.ROW, row));
    doc.add(new Field(KeywordIndex.TEXT, text, TEXT_TYPE));
    writer.addDocument(doc);
  }

  /** Indexes every passage of {@code passages} at its row. */
  void addAll(PassageStore passages) throws IOException {
    for (long row = 0; row < passages.size(); row++) {
      add(row, passages.get(row).text());
    }
  }

  /** Keeps the passage at {@code previousRow} of the previous generation, now at {@code row}. */
  public void move(long previousRow, long row) throws IOException {
    if (previousRow != row) {
      writer.updateNumericDocValue(new Term(KeywordIndex.KEY, previousKeys[(int) previousRow]), KeywordIndex.ROW, row);
    }
  }

  /** Removes the passage at {@code previousRow} of the previous generation. */
  public void delete(long previousRow) throws IOException {
    writer.deleteDocuments(new Term(KeywordIndex.KEY, previousKeys[(int) previousRow]));
    deleted = true;
  }

  /** Merges as described above and makes everything written visible, durably. */
  public void commit() throws IOException {
    if (fresh) {
      writer.forceMerge(1);
    } else if (deleted) {
      writer.forceMergeDeletes();
    }
    writer.setLiveCommitData(Map.of(NEXT_KEY, Long.toString(nextKey, Character.MAX_RADIX)).entrySet());
    writer.commit();
  }

  @Override
  public void close() throws IOException {
    try (owned; analyzer; writer) {
      // Closed in reverse order: the writer, the analyzer, then the directory under them.
    }
  }
}
