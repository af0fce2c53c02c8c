package io.leann.coordinator.ingest;

import static io.leann.coordinator.ingest.TestFiles.loadAll;
import static io.leann.coordinator.ingest.TestFiles.relativePaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files whatever their name, on a copy of real Debian package documentation: text without an
 * extension is loaded, binaries are skipped as binary, {@code --file-types} selects bare names,
 * and relative paths tell same-named files apart.
 */
class FileNamesTest {

  @TempDir
  Path root;
  Path doc;

  @BeforeEach
  void copyDebianDocs() throws IOException {
    doc = root.resolve("doc");
    copy("/usr/share/doc/bash/copyright", "bash/copyright");
    copy("/usr/share/doc/bash/README.Debian.gz", "bash/README.Debian.gz");
    copy("/usr/share/doc/coreutils/copyright", "coreutils/copyright");
    copy("/usr/share/doc/coreutils/README.Debian", "coreutils/README.Debian");
    // An ELF executable without an extension, well above the 8 KiB that are sniffed.
    copy("/bin/true", "coreutils/true");
  }

  private void copy(String from, String to) throws IOException {
    Path target = doc.resolve(to);
    Files.createDirectories(target.getParent());
    Files.copy(Path.of(from), target);
  }

  @Test
  void textWithoutAnExtensionIsLoadedAndBinariesAreCountedAsBinary() throws IOException {
    DocumentStream stream = new DocumentLoader().open(doc);
    List<Document> docs = loadAll(stream);

    assertEquals(List.of("bash/copyright", "coreutils/README.Debian", "coreutils/copyright"), relativePaths(docs));
    Document bash = docs.getFirst();
    assertEquals(Files.readString(Path.of("/usr/share/doc/bash/copyright")).replace("\r\n", "\n"), bash.text());
    assertEquals(DocumentFormat.TEXT, bash.type().format());
    assertEquals("text", bash.language());
    LoadReport report = stream.report();
    assertEquals(2, report.skippedBinary(), "README.Debian.gz and the ELF executable");
    assertEquals(0, report.skippedFilteredOut());
    assertTrue(report.summary().endsWith("skipped 2 binary"), report.summary());
  }

  @Test
  void fileTypesSelectBareNamesExactly() {
    LoaderOptions options = LoaderOptions.defaults().withFileTypes(FileTypeFilter.parse(".txt,copyright"));
    DocumentStream stream = new DocumentLoader(options).open(doc);
    assertEquals(List.of("bash/copyright", "coreutils/copyright"), relativePaths(loadAll(stream)));
    assertEquals(3, stream.report().skippedFilteredOut(), "README.Debian.gz, README.Debian, true");
    assertEquals(0, stream.report().skippedBinary(), "filtered-out binaries are never read");

    FileTypeFilter names = FileTypeFilter.parse("README.Debian");
    assertTrue(names.accepts("README.Debian"));
    assertFalse(names.accepts("readme.debian.txt"));
    assertFalse(names.accepts("Copyright"), "names are case-sensitive");
    assertFalse(FileTypeFilter.parse("copyright").accepts("Copyright"));
    assertTrue(FileTypeFilter.parse("copyright").accepts("notice.COPYRIGHT"), "a bare word is an extension too");
  }

  @Test
  void fileTypesGlobsMatchWholeNames() {
    LoaderOptions options = LoaderOptions.defaults().withFileTypes(FileTypeFilter.parse("README*"));
    DocumentStream stream = new DocumentLoader(options).open(doc);
    assertEquals(List.of("coreutils/README.Debian"), relativePaths(loadAll(stream)));
    assertEquals(1, stream.report().skippedBinary(), "README.Debian.gz passes the pattern, then is sniffed binary");

    FileTypeFilter f = FileTypeFilter.parse("*.[ch], *.MD");
    assertTrue(f.accepts("main.c"));
    assertTrue(f.accepts("util.h"));
    assertFalse(f.accepts("main.cc"));
    assertTrue(f.accepts("notes.md"), "*.ext stays a case-insensitive extension");
    assertThrows(IllegalArgumentException.class, () -> FileTypeFilter.parse(" ,. , *."));
  }

  @Test
  void filesNamedOneByOneKeepTheDirectoriesThatTellThemApart() {
    List<Document> docs = loadAll(new DocumentLoader().open(
        doc.resolve("coreutils/copyright"), doc.resolve("bash/copyright")));
    assertEquals(List.of("bash/copyright", "coreutils/copyright"), relativePaths(docs));
  }

  @Test
  void relativePathsStartAtTheDeepestCommonDirectory() {
    assertEquals(List.of("copyright"), relativePaths(loadAll(new DocumentLoader().open(doc.resolve("bash/copyright")))),
        "one file: its name, as before");
    assertEquals(List.of("README.Debian", "copyright"), relativePaths(loadAll(new DocumentLoader().open(doc.resolve("coreutils")))),
        "one directory: relative to it, as before");
    assertEquals(List.of("bash/copyright", "coreutils/README.Debian", "coreutils/copyright"),
        relativePaths(loadAll(new DocumentLoader().open(doc.resolve("coreutils"), doc.resolve("bash")))));
    // A file given again through a directory walk keeps one path, whichever input reaches it first.
    assertEquals(List.of("bash/copyright", "coreutils/README.Debian", "coreutils/copyright"),
        relativePaths(loadAll(new DocumentLoader().open(doc.resolve("coreutils/copyright"), doc.resolve("coreutils"),
            doc.resolve("bash/copyright")))));
    assertEquals(doc, DocumentLoader.commonRoot(List.of(doc.resolve("bash"), doc.resolve("coreutils/copyright"))));
    assertEquals(Path.of("/"), DocumentLoader.commonRoot(List.of(Path.of("/usr/share/doc"), Path.of("/etc/hostname"))));
  }
}
