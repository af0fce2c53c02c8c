package io.leann.shard.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.jupiter.api.Test;

class WordTokenizerTest {
  @Test
  void lowercasesAndSplitsOnEverythingButLettersAndDigits() {
    assertEquals(List.of("hello", "world", "42", "times"), WordTokenizer.tokenize("Hello, WORLD! 42-times"));
    assertEquals(List.of(), WordTokenizer.tokenize(" ... -- "));
    assertEquals(List.of("don", "t", "3", "14", "snake", "case"), WordTokenizer.tokenize("don't 3.14 snake_case"));
    assertEquals(List.of("café", "ελλάδα", "𝒜lpha"), WordTokenizer.tokenize("Café ΕΛΛΆΔΑ 𝒜lpha"));
  }

  @Test
  void cutsRunsLongerThanTheLimitLikeLucene() throws IOException {
    String run = "a".repeat(600);
    List<String> tokens = WordTokenizer.tokenize(run);
    assertEquals(List.of("a".repeat(255), "a".repeat(255), "a".repeat(90)), tokens);
    try (LuceneReference lucene = new LuceneReference(List.of("seed"))) {
      assertEquals(lucene.tokens(run), tokens);
      String supplementary = "x" + "𝒜".repeat(200);
      assertEquals(lucene.tokens(supplementary), WordTokenizer.tokenize(supplementary));
    }
  }

  @Test
  void agreesWithStandardAnalyzerOnPlainProseAndDocumentsWhereItDiffers() throws IOException {
    try (Analyzer standard = new StandardAnalyzer()) {
      String prose = "The quick brown Fox jumps over 2 lazy dogs; then it rests, in 1848.";
      assertEquals(tokens(standard, prose), WordTokenizer.tokenize(prose));
      assertEquals(List.of("don't", "3.14", "snake_case", "www.example.com"),
          tokens(standard, "don't 3.14 snake_case www.example.com"));
      assertEquals(List.of("东", "京"), tokens(standard, "东京"));
      assertEquals(List.of("东京"), WordTokenizer.tokenize("东京"));
    }
  }

  private static List<String> tokens(Analyzer analyzer, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("f", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken()) {
        out.add(term.toString());
      }
      ts.end();
    }
    return out;
  }
}
