package io.leann.shard.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * The same texts in a Lucene index scored by {@link BM25Similarity}: the reference our BM25 must
 * reproduce. The analyzer is built from Lucene's own parts (a letter-or-digit {@link CharTokenizer}
 * and {@link LowerCaseFilter}), so tokenization is checked too, not assumed.
 */
final class LuceneReference implements AutoCloseable {
  private static final String FIELD = "body";

  private final Analyzer analyzer = new Analyzer() {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      Tokenizer tokenizer = CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit);
      return new TokenStreamComponents(tokenizer, new LowerCaseFilter(tokenizer));
    }
  };
  private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
  private final DirectoryReader reader;
  private final IndexSearcher searcher;

  LuceneReference(List<String> texts) throws IOException {
    // One segment (the buffer holds everything), so Lucene doc ids are our rows and ties agree.
    IndexWriterConfig config = new IndexWriterConfig(analyzer)
        .setSimilarity(new BM25Similarity())
        .setRAMBufferSizeMB(256);
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      for (int row = 0; row < texts.size(); row++) {
        Document doc = new Document();
        doc.add(new StoredField("row", row));
        doc.add(new TextField(FIELD, texts.get(row), Field.Store.NO));
        writer.addDocument(doc);
      }
    }
    reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1) {
      throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
    }
    searcher = new IndexSearcher(reader);
    searcher.setSimilarity(new BM25Similarity());
  }

  /** Lucene's tokens for {@code text}. */
  List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream(FIELD, text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Top {@code k} for the OR of the query's tokens, one SHOULD clause per token as QueryParser builds it. */
  Bm25Hits search(String query, int k) throws IOException {
    BooleanQuery.Builder q = new BooleanQuery.Builder();
    for (String token : tokens(query)) {
      q.add(new TermQuery(new Term(FIELD, token)), BooleanClause.Occur.SHOULD);
    }
    TopDocs top = searcher.search(q.build(), k);
    int[] rows = new int[top.scoreDocs.length];
    float[] scores = new float[top.scoreDocs.length];
    for (int i = 0; i < rows.length; i++) {
      ScoreDoc sd = top.scoreDocs[i];
      rows[i] = searcher.storedFields().document(sd.doc).getField("row").numericValue().intValue();
      if (rows[i] != sd.doc) {
        throw new IllegalStateException("doc " + sd.doc + " holds row " + rows[i]);
      }
      scores[i] = sd.score;
    }
    return new Bm25Hits(rows, scores);
  }

  long docCount() throws IOException {
    return searcher.collectionStatistics(FIELD).docCount();
  }

  long sumTotalTermFreq() throws IOException {
    return searcher.collectionStatistics(FIELD).sumTotalTermFreq();
  }

  @Override
  public void close() throws IOException {
    reader.close();
    directory.close();
  }
}
