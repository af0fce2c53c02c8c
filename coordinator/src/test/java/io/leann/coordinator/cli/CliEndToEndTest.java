package io.leann.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.wire.ZmqCurve;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code leann} CLI end to end on a small real corpus (Debian's licence texts and the
 * loader's test files), with the real ONNX model: build, search, filters, hybrid, list, remove,
 * incremental rebuilds, and a build killed with SIGKILL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
  @TempDir static Path work;
  static Path docs;
  static Map<String, String> env;

  record Run(int code, String out, String err) {}

  static Run leann(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void corpus() throws IOException {
    docs = Files.createDirectories(work.resolve("docs"));
    for (String name : List.of("Apache-2.0", "BSD")) {
      Files.copy(Path.of("/usr/share/common-licenses", name), docs.resolve(name.toLowerCase() + ".txt"));
    }
    Path corpus = Path.of("src/test/resources/corpus");
    try (Stream<Path> files = Files.list(corpus)) {
      for (Path f : files.toList()) {
        Files.copy(f, docs.resolve(f.getFileName()));
      }
    }
    env = Map.of("LEANN_INDEX_DIR", work.resolve("indexes").toString(), "HOME", work.toString());
  }

  private static JsonNode json(Run r) throws IOException {
    assertEquals(0, r.code(), r.err());
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  @Order(1)
  void buildThenSearchFindsTheRelevantPassage() throws IOException {
    Run build = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2");
    assertEquals(0, build.code(), build.err());
    assertTrue(build.out().contains("Built index 'docs'"), build.out());

    JsonNode hits = json(leann("search", "docs", "patent license granted by contributors", "--json", "--top-k", "3"));
    assertEquals(3, hits.size());
    assertEquals("apache-2.0.txt", hits.get(0).get("metadata").get("file_name").asText());
    assertTrue(hits.get(0).get("text").asText().toLowerCase().contains("patent"));

    // two-level search by default: a bounded number of recomputes, reported with --stats
    Run withStats = leann("search", "docs", "patent license granted by contributors", "--top-k", "3",
        "--recompute-budget", "12", "--stats");
    assertEquals(0, withStats.code(), withStats.err());
    assertTrue(withStats.err().contains("pq_distances="), withStats.err());
    long recomputed = Long.parseLong(withStats.err().replaceAll("(?s).*recomputed=(\\d+).*", "$1"));
    assertTrue(recomputed > 0 && recomputed <= 12, withStats.err());

    // without recompute, the pruned index answers from its PQ codes alone (compressed mode)
    JsonNode compressed = json(leann("search", "docs", "patent license granted by contributors", "--json",
        "--top-k", "3", "--no-recompute"));
    assertEquals(3, compressed.size());

    // an index with neither vectors nor PQ codes refuses it, with a clear message
    Run plain = leann("build", "plain", "--docs", docs.toString(), "--num-threads", "2", "--pq-bytes", "0");
    assertEquals(0, plain.code(), plain.err());
    Run stored = leann("search", "plain", "patent", "--no-recompute");
    assertEquals(1, stored.code());
    assertTrue(stored.err().startsWith("leann: ") && stored.err().contains("recompute"), stored.err());
    assertEquals(0, leann("remove", "plain", "--force").code());
    Run bad = leann("search", "docs", "patent", "--prune-ratio", "1.5");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("prune ratio"), bad.err());
  }

  @Test
  @Order(2)
  void filtersAreAppliedDuringSearchAndReturnKMatches() throws IOException {
    JsonNode hits = json(leann("search", "docs", "what does this software do", "--json", "--top-k", "4",
        "--filter", "{\"language\": {\"==\": \"java\"}}"));
    assertEquals(4, hits.size());
    for (JsonNode h : hits) {
      assertEquals("Library.java", h.get("metadata").get("file_name").asText());
    }
    Run bad = leann("search", "docs", "x", "--filter", "{\"language\": {\"~=\": 1}}");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("~="), bad.err());
  }

  @Test
  @Order(3)
  void hybridSearchFusesKeywordAndDenseResults() throws IOException {
    JsonNode hits = json(leann("search", "docs", "MERCHANTABILITY", "--json", "--hybrid", "--top-k", "3"));
    assertEquals(3, hits.size());
    boolean keyword = false;
    for (JsonNode h : hits) {
      keyword |= h.get("text").asText().contains("MERCHANTABILITY");
      assertTrue(h.get("score").asDouble() <= 1.0 + 1e-6);
    }
    assertTrue(keyword, "a passage with the exact keyword ranks in the top 3");

    JsonNode rrf = json(leann("search", "docs", "MERCHANTABILITY", "--json", "--fusion", "rrf", "--top-k", "3"));
    assertEquals(3, rrf.size());
    for (JsonNode h : rrf) {
      // Reciprocal rank scores: at most 1/61 from each of the two lists.
      assertTrue(h.get("score").asDouble() <= 2.0 / 61 + 1e-6, h.toString());
    }
    assertTrue(rrf.get(0).get("text").asText().contains("MERCHANTABILITY"), rrf.toString());
    Run bad = leann("search", "docs", "x", "--fusion", "rrf", "--vector-weight", "0.5");
    assertTrue(bad.code() != 0 && bad.err().contains("weighted fusion only"), bad.err());
  }

  @Test
  @Order(4)
  void unchangedRebuildIsANoOpAndOneChangedFileReembedsOnlyItselfWithAnEmbeddingCopy() throws IOException {
    Path indexDir = work.resolve("indexes/docs");
    Run again = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("up to date"), again.out());

    // The default index keeps no embedding copy: a change embeds every passage again.
    Files.writeString(docs.resolve("guide.md"), "\n\nA new closing section about quantum tea brewing.\n",
        java.nio.file.StandardOpenOption.APPEND);
    Run changed = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2");
    assertEquals(0, changed.code(), changed.err());
    int[] counts = embeddedAndReused(changed);
    assertTrue(counts[0] > 0 && counts[1] == 0, changed.out());
    try (Stream<Path> gens = Files.list(indexDir)) {
      // The generation the commit replaced stays until the next commit: another process may read it.
      assertEquals(List.of("gen-1", "gen-2"), gens.map(g -> g.getFileName().toString())
          .filter(n -> n.startsWith("gen-")).sorted().toList(), "older generations are removed after the commit");
    }
    assertFalse(Files.exists(indexDir.resolve("gen-2/embeddings.f32")));
    JsonNode hits = json(leann("search", "docs", "quantum tea brewing", "--json", "--top-k", "1"));
    assertEquals("guide.md", hits.get(0).get("metadata").get("file_name").asText());

    // With --keep-embeddings (recorded, so watch repeats it) only the changed file is embedded.
    Run kept = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2", "--keep-embeddings");
    assertEquals(0, kept.code(), kept.err());
    assertTrue(leann("list").out().contains("embedding copy"));
    Files.writeString(docs.resolve("guide.md"), "\n\nArctic terns fly from pole to pole and back every year.\n",
        java.nio.file.StandardOpenOption.APPEND);
    Run keptChanged = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2", "--keep-embeddings");
    assertEquals(0, keptChanged.code(), keptChanged.err());
    counts = embeddedAndReused(keptChanged);
    assertTrue(counts[1] > counts[0] && counts[0] > 0, keptChanged.out());
    hits = json(leann("search", "docs", "quantum tea brewing", "--json", "--top-k", "1"));
    assertEquals("guide.md", hits.get(0).get("metadata").get("file_name").asText());
  }

  /** The "(N embedded, M reused)" of a build's output. */
  private static int[] embeddedAndReused(Run build) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) embedded, (\\d+) reused\\)")
        .matcher(build.out());
    assertTrue(m.find(), build.out());
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }

  @Test
  @Order(5)
  void buildKilledWithSigkillLeavesThePreviousIndexSearchable() throws Exception {
    Path more = Files.createDirectories(work.resolve("more"));
    for (String name : List.of("GPL-3", "LGPL-3", "MPL-2.0", "GFDL-1.3", "Artistic")) {
      Files.copy(Path.of("/usr/share/common-licenses", name), more.resolve(name + ".txt"));
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        LeannCli.class.getName(), "build", "docs", "--docs", docs.toString(), more.toString(),
        "--num-threads", "1", "--keep-embeddings").redirectErrorStream(true).redirectOutput(work.resolve("killed.log").toFile());
    pb.environment().put("LEANN_INDEX_DIR", env.get("LEANN_INDEX_DIR"));
    Process p = pb.start();
    try {
      Path indexDir = work.resolve("indexes/docs");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      // wait until the new generation is being written, then kill the JVM outright
      while (System.nanoTime() < deadline && !Files.exists(indexDir.resolve("gen-5/embeddings.f32"))) {
        Thread.sleep(20);
      }
      assertTrue(Files.exists(indexDir.resolve("gen-5")), "the build never started: "
          + Files.readString(work.resolve("killed.log")));
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertFalse(p.isAlive());
    JsonNode hits = json(leann("search", "docs", "patent license granted by contributors", "--json", "--top-k", "1"));
    assertEquals("apache-2.0.txt", hits.get(0).get("metadata").get("file_name").asText());
    // the next build cleans up the orphaned generation and succeeds
    Run rebuild = leann("build", "docs", "--docs", docs.toString(), "--num-threads", "2", "--keep-embeddings");
    assertEquals(0, rebuild.code(), rebuild.err());
    assertTrue(rebuild.out().contains("up to date"), rebuild.out());
    try (Stream<Path> gens = Files.list(work.resolve("indexes/docs"))) {
      // gen-5 (uncommitted) is gone; gen-3, the generation gen-4 replaced, stays until the next commit.
      assertEquals(List.of("gen-3", "gen-4"), gens.map(g -> g.getFileName().toString())
          .filter(n -> n.startsWith("gen-")).sorted().toList());
    }
  }

  @Test
  @Order(6)
  void listRemoveAndErrors() throws IOException {
    Run list = leann("list");
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains("docs") && list.out().contains("pruned"), list.out());

    Run unknown = leann("search", "nope", "x");
    assertEquals(1, unknown.code());
    assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    assertTrue(unknown.err().contains("no index named 'nope'") && unknown.err().contains("docs"), unknown.err());

    assertEquals(2, leann("search", "docs").code(), "missing query is a usage error");
    assertEquals(2, leann("build", "x").code(), "missing --docs is a usage error");
    Run analyzer = leann("build", "x", "--docs", docs.toString(), "--text-analyzer", "klingon");
    assertEquals(2, analyzer.code(), analyzer.err());
    assertTrue(analyzer.err().contains("--text-analyzer: unknown text analyzer 'klingon'"), analyzer.err());
    assertEquals(1, leann("build", "../escape", "--docs", docs.toString()).code());

    Path typo = work.resolve("no-such-folder");
    Run missing = leann("build", "typo", "--docs", docs.toString(), typo.toString());
    assertEquals(2, missing.code(), "a --docs path that is not there is a usage error");
    assertTrue(missing.err().contains("--docs: no such file or directory: " + typo), missing.err());
    assertFalse(Files.exists(work.resolve("indexes/typo")));

    Path empty = Files.createDirectories(work.resolve("empty"));
    Run nothing = leann("build", "nothing", "--docs", empty.toString());
    assertEquals(1, nothing.code());
    assertTrue(nothing.err().contains("no text found to index"), nothing.err());
    assertFalse(Files.exists(work.resolve("indexes/nothing")), "a failed first build leaves no directory");
    assertFalse(leann("list").out().contains("nothing"));

    Run removed = leann("remove", "docs", "--force");
    assertEquals(0, removed.code(), removed.err());
    assertFalse(Files.exists(work.resolve("indexes/docs")));
    assertTrue(leann("list").out().contains("No indexes"));
  }

  @Test
  @Order(7)
  void filesThatCannotBeReadAreNamedAfterTheBuild() throws IOException {
    Path mixed = Files.createDirectories(work.resolve("mixed"));
    Files.copy(Path.of("/usr/share/common-licenses/MPL-2.0"), mixed.resolve("mpl.txt"));
    Files.writeString(mixed.resolve("broken.pdf"), "this is not a PDF");
    Run build = leann("build", "mixed", "--docs", mixed.toString(), "--num-threads", "2");
    assertEquals(0, build.code(), build.err());
    assertTrue(build.out().contains("from 1 files"), build.out());
    assertTrue(build.err().contains("1 file could not be read and is not in the index:\n  "
        + mixed.resolve("broken.pdf") + ": could not read PDF"), build.err());
  }

  @Test
  @Order(8)
  void astFallbackTraditionalDecidesWhetherAnUnparsableFileFailsTheBuild() throws IOException {
    Path code = Files.createDirectories(work.resolve("code"));
    Path broken = code.resolve("broken.py");
    Files.writeString(broken, "def ok():\n    return 1\n\ndef broken(:\n    pass\n");
    Files.copy(Path.of("src/test/resources/corpus/inventory.py"), code.resolve("inventory.py"));

    Run strict = leann("build", "strict", "--docs", code.toString(), "--num-threads", "2", "--no-ast-fallback-traditional");
    assertEquals(1, strict.code(), strict.out());
    assertTrue(strict.err().contains("AST chunking failed: " + broken + ": syntax error at line 4"), strict.err());

    Run lenient = leann("build", "lenient", "--docs", code.toString(), "--num-threads", "2");
    assertEquals(0, lenient.code(), lenient.err());
    assertTrue(lenient.err().contains("warning: " + broken + ": syntax error at line 4"), lenient.err());
    assertTrue(lenient.out().contains("from 2 files"), lenient.out());
  }

  @Test
  @Order(9)
  void keygenPrintsAFreshZ85KeyPair() {
    Run first = leann("keygen");
    Run second = leann("keygen");
    assertEquals(0, first.code(), first.err());
    List<String> lines = first.out().lines().toList();
    assertEquals(2, lines.size(), first.out());
    assertTrue(lines.get(0).startsWith("public-key = ") && lines.get(1).startsWith("secret-key = "), first.out());
    for (String line : lines) {
      ZmqCurve.requireKey("keygen output", line.substring(line.indexOf("= ") + 2));
    }
    assertNotEquals(first.out(), second.out(), "every run makes a new pair");
  }
}
