package io.leann.shard.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Deterministic English-like passages for the BM25 tests. */
final class TestCorpus {
  private static final String[] WORDS = ("""
      the of and to in a is that for it as was with be by on not he this are or his from at which
      but have an they you were her she there been one all we their has would when if so no will
      river mountain harbour lantern orchard meadow thunder library engine copper silver garden
      winter summer autumn spring morning evening ocean forest valley village castle bridge tower
      merchant sailor farmer weaver miller baker scholar painter doctor soldier captain pilgrim
      quiet ancient bright narrow golden hollow gentle restless hidden distant crooked patient
      carries builds remembers follows gathers measures repairs whispers wanders divides borrows
      letters engines numbers rivers stories journeys seasons windows lanterns harvests markets
      compass telescope parchment furnace chimney anchor saddle ledger kettle spindle lattice
      café naïve Zürich façade Ångström résumé Ελλάδα Москва 𝒜lpha 𝔹eta
      1848 2024 42 7 3 100 9000 x86 mp3 h2o
      """).strip().split("\\s+");

  private TestCorpus() {}

  /**
   * {@code n} passages of Zipf-distributed words, 0 to 120 tokens with a few of several hundred
   * (so lengths beyond the 24 that norms store exactly), with punctuation, capitals and line breaks
   * between words, and a few passages without any token.
   */
  static List<String> generated(int n, long seed) {
    Random random = new Random(seed);
    double[] cumulative = new double[WORDS.length];
    double total = 0;
    for (int i = 0; i < WORDS.length; i++) {
      total += 1.0 / Math.pow(i + 1, 0.9);
      cumulative[i] = total;
    }
    String[] separators = {" ", " ", " ", ", ", ". ", "; ", " - ", "\n", " (", ") ", "'s ", "/"};
    List<String> texts = new ArrayList<>(n);
    for (int d = 0; d < n; d++) {
      if (d % 97 == 13) {
        texts.add(d % 2 == 0 ? "" : " -- ... !!! ");
        continue;
      }
      int length = d % 41 == 5 ? 200 + random.nextInt(1800) : random.nextInt(121);
      StringBuilder sb = new StringBuilder();
      for (int t = 0; t < length; t++) {
        double u = random.nextDouble() * total;
        int w = 0;
        while (cumulative[w] < u) {
          w++;
        }
        String word = WORDS[w];
        if (random.nextInt(10) == 0) {
          word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
        } else if (random.nextInt(50) == 0) {
          word = word.toUpperCase(Locale.ROOT);
        }
        sb.append(word).append(separators[random.nextInt(separators.length)]);
      }
      texts.add(sb.toString());
    }
    return texts;
  }

  /**
   * Paragraphs of the licence texts Debian ships in {@code /usr/share/common-licenses}, files in
   * name order, each file once; empty when the directory is absent.
   */
  static List<String> licenseParagraphs() throws IOException {
    Path dir = Path.of("/usr/share/common-licenses");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    TreeSet<Path> files = new TreeSet<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : (Iterable<Path>) list::iterator) {
        if (Files.isRegularFile(p)) {
          files.add(p.toRealPath());
        }
      }
    }
    List<String> paragraphs = new ArrayList<>();
    for (Path file : files) {
      for (String para : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\\n\\s*\\n")) {
        if (!para.isBlank()) {
          paragraphs.add(para.strip());
        }
      }
    }
    return paragraphs;
  }
}
