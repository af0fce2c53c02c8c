package io.leann.shard.text;

import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cjk.CJKAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.util.CharTokenizer;

/**
 * How the passages of an index and the queries against them are cut into words for BM25, chosen
 * per index at build time ({@code --text-analyzer}) and recorded in the meta's
 * {@code backend_kwargs} as {@value IndexMeta#TEXT_ANALYZER}: a query must be analysed as the
 * passages were, so every reader takes it from there.
 *
 * <ul>
 *   <li>{@link #STANDARD}: Lucene's {@link EnglishAnalyzer}: UAX#29 words, English possessives
 *       dropped, lower case, English stop words removed, Porter stemming ("licensing" matches
 *       "licensed").
 *   <li>{@link #CJK}: Lucene's {@link CJKAnalyzer}: UAX#29 words, full-width forms folded, lower
 *       case, and overlapping bigrams of Han, Hiragana, Katakana and Hangul, for languages written
 *       without spaces; other scripts as in {@link #STANDARD} but without stemming.
 *   <li>{@link #EXACT}: maximal runs of letters and digits, lower-cased, nothing else (the SQLite
 *       FTS5 {@code unicode61} rule the Python LEANN uses): no stemming, no stop words, a run of
 *       ideographs is one word. Indexes built before the analyzer was recorded were tokenised so.
 * </ul>
 *
 * <p>Stateless; {@link #newAnalyzer()} returns a fresh Lucene analyzer (thread-safe, to be closed).
 */
public enum TextAnalyzer {
  STANDARD("standard"),
  CJK("cjk"),
  EXACT("exact");

  /** What a build uses when none is asked for. */
  public static final TextAnalyzer DEFAULT = STANDARD;
  /** What indexes that record no analyzer were built with. */
  public static final TextAnalyzer LEGACY = EXACT;

  private final String id;

  TextAnalyzer(String id) {
    this.id = id;
  }

  /** The name in the meta, on the command line and in the API. */
  public String id() {
    return id;
  }

  /**
   * The analyzer named {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the choices if there is no such analyzer
   */
  public static TextAnalyzer parse(String name) {
    String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
    for (TextAnalyzer a : values()) {
      if (a.id.equals(wanted)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown text analyzer '" + name + "': choose one of "
        + Arrays.stream(values()).map(TextAnalyzer::id).collect(Collectors.joining(", ")));
  }

  /**
   * The analyzer the body of {@code PUT /indexes/{name}} asks for; the default when it names none.
   *
   * @throws ApiException 400 naming {@code text_analyzer} if it names an unknown one
   */
  public static TextAnalyzer ofSettings(IndexSettings settings) {
    if (settings == null || settings.textAnalyzer() == null) {
      return DEFAULT;
    }
    try {
      return parse(settings.textAnalyzer());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("text_analyzer", e.getMessage());
    }
  }

  /**
   * The analyzer {@code meta} records, or null when it records none (an index built before
   * analyzers were chosen, which has no Lucene keyword index).
   *
   * @param metaFile the file {@code meta} was read from, for the error
   * @throws IndexFormatException if the recorded name is unknown
   */
  public static TextAnalyzer recorded(IndexMeta meta, Path metaFile) throws IndexFormatException {
    String name = meta.textAnalyzer();
    try {
      return name == null ? null : parse(name);
    } catch (IllegalArgumentException e) {
      throw new IndexFormatException(metaFile, e.getMessage());
    }
  }

  /** A new Lucene analyzer doing what this constant describes. */
  public Analyzer newAnalyzer() {
    return switch (this) {
      case STANDARD -> new EnglishAnalyzer();
      case CJK -> new CJKAnalyzer();
      case EXACT -> new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
          // Runs longer than 255 UTF-16 units continue as a new token, as CharTokenizer does.
          Tokenizer words = CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit);
          return new TokenStreamComponents(words, new LowerCaseFilter(words));
        }
      };
    };
  }
}
