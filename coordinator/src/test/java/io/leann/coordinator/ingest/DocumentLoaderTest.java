package io.leann.coordinator.ingest;

import static io.leann.coordinator.ingest.TestFiles.loadAll;
import static io.leann.coordinator.ingest.TestFiles.relativePaths;
import static io.leann.coordinator.ingest.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory walks: hidden files, .gitignore, filters, binary detection, order, inputs. */
class DocumentLoaderTest {

  @TempDir
  Path root;

  @BeforeEach
  void layOutTree() {
    write(root, ".gitignore", "*.log\nbuild/\n/secret.md\n!keep.log\n");
    write(root, "README.md", "# Readme\n");
    write(root, "app.log", "ignored by *.log\n");
    write(root, "keep.log", "re-included by !keep.log\n");
    write(root, "build/out.txt", "inside an ignored directory\n");
    write(root, "secret.md", "anchored ignore\n");
    write(root, "docs/secret.md", "not matched by the anchored /secret.md\n");
    write(root, "docs/.gitignore", "draft-*.md\n");
    write(root, "docs/draft-1.md", "ignored by the nested .gitignore\n");
    write(root, "docs/guide.md", "Guide.\n");
    write(root, ".hidden/notes.md", "hidden directory\n");
    write(root, ".env", "SECRET=1\n");
    write(root, "image.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
    write(root, "data.txt", new byte[] {'a', 'b', 0, 'c'});
    write(root, "empty.txt", "");
    write(root, "src/Main.java", "class Main {}\n");
  }

  @Test
  void walkHonoursHiddenGitignoreFilterAndBinary() {
    DocumentStream stream = new DocumentLoader().open(root);
    List<Document> docs = loadAll(stream);

    assertEquals(List.of("README.md", "docs/guide.md", "docs/secret.md", "empty.txt", "keep.log", "src/Main.java"),
        relativePaths(docs));
    LoadReport report = stream.report();
    assertEquals(6, report.loaded());
    assertEquals(4, report.skippedHidden(), ".env, .gitignore, .hidden, docs/.gitignore");
    assertEquals(4, report.skippedIgnored(), "app.log, build, secret.md, docs/draft-1.md");
    assertEquals(0, report.skippedFilteredOut(), "the default filter loads any text, whatever its name");
    assertEquals(2, report.skippedBinary(), "image.png (unknown type, binary content), data.txt");
    assertEquals(0, report.failed());
    assertTrue(report.summary().startsWith("loaded 6 files"), report.summary());
  }

  @Test
  void negatedPatternReincludesWhenTheFilterAcceptsTheType() {
    LoaderOptions options = LoaderOptions.defaults().withFileTypes(FileTypeFilter.parse(".log, md"));
    List<Document> docs = loadAll(new DocumentLoader(options).open(root));
    assertEquals(List.of("README.md", "docs/guide.md", "docs/secret.md", "keep.log"), relativePaths(docs));
  }

  @Test
  void gitignoreCanBeSwitchedOff() {
    LoaderOptions options = LoaderOptions.defaults().withRespectGitignore(false)
        .withFileTypes(FileTypeFilter.parse("md,log,txt"));
    List<String> paths = relativePaths(loadAll(new DocumentLoader(options).open(root)));
    assertEquals(List.of("README.md", "app.log", "build/out.txt", "docs/draft-1.md", "docs/guide.md",
        "docs/secret.md", "empty.txt", "keep.log", "secret.md"), paths);
  }

  @Test
  void hiddenEntriesLoadOnRequestButNeverGit() {
    write(root, ".git/config", "[core]\n");
    write(root, ".git/notes.md", "inside .git\n");
    LoaderOptions options = LoaderOptions.defaults().withIncludeHidden(true);
    DocumentStream stream = new DocumentLoader(options).open(root);
    List<String> paths = relativePaths(loadAll(stream));
    assertTrue(paths.contains(".hidden/notes.md"), paths.toString());
    assertFalse(paths.stream().anyMatch(p -> p.startsWith(".git/")), paths.toString());
    assertEquals(1, stream.report().skippedHidden(), ".git only");
  }

  @Test
  void repositoryRootRulesApplyToAWalkedSubdirectory() {
    write(root, ".git/info/exclude", "*.tmp.md\n");
    write(root, "docs/scratch.tmp.md", "excluded by .git/info/exclude\n");
    DocumentStream stream = new DocumentLoader().open(root.resolve("docs"));
    assertEquals(List.of("guide.md", "secret.md"), relativePaths(loadAll(stream)));
    assertEquals(2, stream.report().skippedIgnored(), "draft-1.md and scratch.tmp.md");

    write(root, "docs/server.log", "the root .gitignore's *.log applies in docs/\n");
    LoaderOptions logs = LoaderOptions.defaults().withFileTypes(FileTypeFilter.parse(".log,.md"));
    assertFalse(relativePaths(loadAll(new DocumentLoader(logs).open(root.resolve("docs")))).contains("server.log"));
  }

  @Test
  void orderIsSortedAndIndependentOfInputOrder() {
    List<Path> inputs = List.of(root.resolve("src"), root.resolve("docs"), root.resolve("README.md"));
    List<Document> a = loadAll(new DocumentLoader().open(inputs));
    List<Document> b = loadAll(new DocumentLoader().open(inputs.reversed()));
    assertEquals(a.stream().map(Document::path).toList(), b.stream().map(Document::path).toList());
    List<Path> paths = a.stream().map(Document::path).toList();
    assertEquals(paths.stream().sorted().toList(), paths);
  }

  @Test
  void overlappingInputsLoadEachFileOnce() {
    List<Document> docs = loadAll(new DocumentLoader().open(root, root.resolve("docs"), root.resolve("docs/guide.md")));
    long guides = docs.stream().filter(d -> d.fileName().equals("guide.md")).count();
    assertEquals(1, guides);
  }

  @Test
  void explicitFilesBypassHiddenIgnoreAndTypeFilter() {
    Path env = root.resolve(".env");
    Path log = root.resolve("app.log");
    DocumentStream stream = new DocumentLoader().open(env, log, root.resolve("missing.md"));
    List<Document> docs = loadAll(stream);
    assertEquals(List.of(".env", "app.log"), relativePaths(docs));
    assertEquals("text", docs.getFirst().language());
    assertEquals(1, stream.report().failed());
    assertEquals("no such file or directory", stream.report().failures().getFirst().reason());
  }

  @Test
  void documentCarriesFileFacts() throws Exception {
    Path file = write(root, "docs/facts.md", "line one\r\nline two\r\n");
    Instant mtime = Instant.parse("2024-03-01T12:00:00Z");
    Files.setLastModifiedTime(file, FileTime.from(mtime));
    Document doc = loadAll(new DocumentLoader().open(file)).getFirst();
    assertEquals(file.toAbsolutePath().normalize(), doc.path());
    assertEquals("facts.md", doc.relativePath());
    assertEquals("line one\nline two\n", doc.text(), "CRLF normalised");
    assertEquals(DocumentFormat.MARKDOWN, doc.type().format());
    assertEquals("markdown", doc.language());
    assertEquals(mtime, doc.modified());
    assertEquals(20, doc.size());
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), doc.contentHash());
    assertFalse(doc.isPaginated());
  }

  @Test
  void emptyFileIsADocumentWithEmptyText() {
    Document doc = loadAll(new DocumentLoader().open(root.resolve("empty.txt"))).getFirst();
    assertEquals("", doc.text());
    assertEquals(0, doc.size());
  }

  @Test
  void tooLargeFilesAreSkippedUnread() {
    DocumentStream stream = new DocumentLoader(LoaderOptions.defaults().withMaxFileBytes(10)).open(root.resolve("docs"));
    List<String> paths = relativePaths(loadAll(stream));
    assertEquals(List.of("guide.md"), paths);
    assertEquals(1, stream.report().skippedTooLarge());
  }

  @Test
  void symlinksToDirectoriesAreNotFollowedAndBrokenLinksAreFailures() throws IOException {
    Path walk = Files.createDirectories(root.resolve("linked"));
    write(walk, "real.md", "real\n");
    Files.createSymbolicLink(walk.resolve("loop"), walk);
    Files.createSymbolicLink(walk.resolve("alias.md"), walk.resolve("real.md"));
    Files.createSymbolicLink(walk.resolve("broken.md"), walk.resolve("nowhere.md"));
    DocumentStream stream = new DocumentLoader().open(walk);
    assertEquals(List.of("alias.md", "real.md"), relativePaths(loadAll(stream)));
    assertEquals(1, stream.report().skippedNotRegular());
    assertEquals(1, stream.report().failed());
    assertTrue(stream.report().failures().getFirst().path().endsWith("broken.md"));
  }

  @Test
  void iteratorContract() {
    DocumentStream stream = new DocumentLoader().open(root.resolve("src"));
    assertTrue(stream.hasNext());
    assertTrue(stream.hasNext(), "hasNext is idempotent");
    assertEquals("Main.java", stream.next().relativePath());
    assertFalse(stream.hasNext());
    assertThrows(NoSuchElementException.class, stream::next);
    assertEquals(0, stream.stream().count());
    assertEquals(1, stream.report().loaded());
  }

  @Test
  void fileTypeFilterParsing() {
    FileTypeFilter f = FileTypeFilter.parse(" .MD, java ,*.d.ts,, ");
    assertTrue(f.accepts("README.md"));
    assertTrue(f.accepts("Readme.MD"));
    assertTrue(f.accepts("Main.java"));
    assertTrue(f.accepts("index.d.ts"));
    assertFalse(f.accepts("index.ts"));
    assertFalse(f.accepts("notes.txt"));
    assertThrows(IllegalArgumentException.class, () -> FileTypeFilter.parse(" , "));
    assertTrue(FileTypeFilter.defaults().accepts("paper.PDF"));
    assertTrue(FileTypeFilter.defaults().accepts("photo.jpg"), "the default filter leaves binaries to content sniffing");
  }

  @Test
  void streamedTextMatchesTheReport() {
    for (int i = 0; i < 30; i++) {
      write(root, "many/f" + (char) ('a' + i % 26) + i + ".txt", ("file " + i + "\n").repeat(100));
    }
    DocumentStream stream = new DocumentLoader().open(root.resolve("many"));
    long total = stream.stream().mapToLong(d -> d.text().getBytes(StandardCharsets.UTF_8).length).sum();
    assertEquals(stream.report().bytesLoaded(), total);
    assertEquals(30, stream.report().loaded());
  }
}
