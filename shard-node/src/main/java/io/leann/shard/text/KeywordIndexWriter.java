package io.leann.shard.text;

import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
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
 * passages are deleted and the added ones analysed; the previous generation stays as it was.
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
  private boolean deleted;

  private KeywordIndexWriter(Directory directory, boolean owned, TextAnalyzer textAnalyzer, boolean fresh)
      throws IOException {
    this.owned = owned ? directory : null;
    this.analyzer = textAnalyzer.newAnalyzer();
    this.fresh = fresh;
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
      writer.addAll(passages.stream());
      writer.commit();
    }
  }

  /** A writer of a new, empty keyword index in {@code dir} (created if absent). */
  public static KeywordIndexWriter create(Path dir, TextAnalyzer analyzer) throws IOException {
    Files.createDirectories(dir);
    Directory directory = FSDirectory.open(dir, NoLockFactory.INSTANCE);
    try {
      return new KeywordIndexWriter(directory, true, analyzer, true);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** A writer of a new keyword index in {@code directory}, which the caller closes. */
  static KeywordIndexWriter create(Directory directory, TextAnalyzer analyzer) throws IOException {
    return new KeywordIndexWriter(directory, false, analyzer, true);
  }

  /**
   * A writer of {@code dir} starting from the keyword index in {@code previous}, which must have
   * been written with {@code analyzer}, and which is checksummed first (a corrupt index is not
   * carried forward). Files are hard-linked where the file system allows, copied otherwise.
   *
   * @throws io.leann.protocol.index.IndexFormatException if a file of {@code previous} fails its checksum
   */
  public static KeywordIndexWriter copyOf(Path previous, Path dir, TextAnalyzer analyzer) throws IOException {
    KeywordIndex.verifyChecksums(previous);
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
      return new KeywordIndexWriter(directory, true, analyzer, false);
    } catch (IOException | RuntimeException e) {
      directory.close();
      throw e;
    }
  }

  /** Indexes the text of passage {@code id}. */
  public void add(String id, String text) throws IOException {
    Document doc = new Document();
    doc.add(new StringField(KeywordIndex.ID, id, Field.Store.NO));
    doc.add(new Field(KeywordIndex.TEXT, text, TEXT_TYPE));
    writer.addDocument(doc);
  }

  /** Indexes each passage of {@code passages}. */
  public void addAll(Stream<Passage> passages) throws IOException {
    for (Passage p : (Iterable<Passage>) passages::iterator) {
      add(p.id(), p.text());
    }
  }

  /** Removes passage {@code id} (nothing if it is not indexed). */
  public void delete(String id) throws IOException {
    writer.deleteDocuments(new Term(KeywordIndex.ID, id));
    deleted = true;
  }

  /** Merges as described above and makes everything written visible, durably. */
  public void commit() throws IOException {
    if (fresh) {
      writer.forceMerge(1);
    } else if (deleted) {
      writer.forceMergeDeletes();
    }
    writer.commit();
  }

  @Override
  public void close() throws IOException {
    try (owned; analyzer; writer) {
      // Closed in reverse order: the writer, the analyzer, then the directory under them.
    }
  }
}
