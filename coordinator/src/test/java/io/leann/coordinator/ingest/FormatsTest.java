package io.leann.coordinator.ingest;

import static io.leann.coordinator.ingest.TestFiles.loadAll;
import static io.leann.coordinator.ingest.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text decoding, binary detection, HTML and PDF extraction. */
class FormatsTest {

  @TempDir
  Path root;

  private DocumentStream load(String name, byte[] content) {
    return new DocumentLoader().open(write(root, name, content));
  }

  private Document loadOne(String name, byte[] content) {
    List<Document> docs = loadAll(load(name, content));
    assertEquals(1, docs.size(), name);
    return docs.getFirst();
  }

  @Test
  void htmlKeepsTitleAndBlockStructureButNotScripts() {
    String html = """
        <!doctype html>
        <html><head><title> Release notes </title>
        <style>body { color: red }</style><script>var hidden = "do not index";</script></head>
        <body>
          <h1>Version   2.0</h1>
          <p>Faster search.<br>Smaller   index.</p>
          <ul><li>one</li><li>two</li></ul>
          <table><tr><td>a</td><td>b</td></tr></table>
          <pre>keep   this
          spacing</pre>
          <noscript>enable js</noscript>
        </body></html>
        """;
    Document doc = loadOne("notes.html", html.getBytes(StandardCharsets.UTF_8));
    assertEquals("Release notes", doc.title());
    assertEquals(DocumentFormat.HTML, doc.type().format());
    assertTrue(doc.text().startsWith("Release notes\n\nVersion 2.0\n\nFaster search.\nSmaller index.\n\none\ntwo"), doc.text());
    assertTrue(doc.text().contains("a b"), doc.text());
    assertTrue(doc.text().contains("keep   this\n"), doc.text());
    assertFalse(doc.text().contains("do not index"));
    assertFalse(doc.text().contains("color"));
    assertFalse(doc.text().contains("enable js"));
  }

  @Test
  void htmlHonoursDeclaredCharset() {
    byte[] latin1 = "<html><head><meta charset=\"iso-8859-1\"><title>Caf\u00e9</title></head><body>na\u00efve</body></html>"
        .getBytes(StandardCharsets.ISO_8859_1);
    Document doc = loadOne("old.htm", latin1);
    assertEquals("Caf\u00e9", doc.title());
    assertTrue(doc.text().endsWith("na\u00efve"));
  }

  @Test
  void pdfTextIsExtractedPerPage() {
    byte[] pdf = PdfFixtures.pdf("Annual report", List.of(
        List.of("The first page talks about apples.", "Apples are red."),
        List.of("The second page talks about pears.")), null);
    Document doc = loadOne("report.pdf", pdf);
    assertEquals(DocumentFormat.PDF, doc.type().format());
    assertEquals("Annual report", doc.title());
    assertEquals(List.of(0, doc.text().indexOf("The second page")), doc.pageStarts());
    assertTrue(doc.text().startsWith("The first page talks about apples.\nApples are red.\n\n"), doc.text());
    assertEquals(1, doc.pageAt(doc.text().indexOf("Apples are red")));
    assertEquals(2, doc.pageAt(doc.text().indexOf("pears")));
  }

  @Test
  void corruptPdfIsAFailureNotACrash() {
    DocumentStream stream = load("broken.pdf", "%PDF-1.7\nthis is not a PDF at all\n".getBytes(StandardCharsets.US_ASCII));
    assertTrue(loadAll(stream).isEmpty());
    assertEquals(1, stream.report().failed());
    assertTrue(stream.report().failures().getFirst().reason().startsWith("could not read PDF"),
        stream.report().failures().getFirst().reason());
  }

  @Test
  void truncatedPdfIsAFailureOrPartialTextNeverACrash() {
    byte[] pdf = PdfFixtures.pdf("t", List.of(List.of("Some text.")), null);
    DocumentStream stream = load("truncated.pdf", Arrays.copyOf(pdf, pdf.length / 3));
    List<Document> docs = loadAll(stream);
    assertEquals(1, docs.size() + stream.report().failed());
  }

  @Test
  void passwordProtectedPdfIsAFailureWithReason() {
    byte[] pdf = PdfFixtures.pdf("secret", List.of(List.of("Hidden text.")), "s3cret");
    DocumentStream stream = load("locked.pdf", pdf);
    assertTrue(loadAll(stream).isEmpty());
    assertEquals("encrypted PDF (password required)", stream.report().failures().getFirst().reason());
  }

  @Test
  void binaryDetection() {
    assertTrue(TextDecoder.decode(new byte[] {'h', 'i', 0, 'x'}).isEmpty(), "NUL byte");
    byte[] noisy = new byte[4096];
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = (byte) (0x80 + (i * 37) % 0x7F);
    }
    assertTrue(TextDecoder.decode(noisy).isEmpty(), "invalid UTF-8, mostly non-text");
    byte[] lateNul = new byte[TextDecoder.SNIFF_BYTES + 10];
    Arrays.fill(lateNul, (byte) 'a');
    lateNul[lateNul.length - 1] = 0;
    assertTrue(TextDecoder.decode(lateNul).isPresent(), "only the first 8 KiB are sniffed for NUL");
  }

  @Test
  void legacyAndUnicodeEncodings() {
    assertEquals("caf\u00e9 cr\u00e8me\n", TextDecoder.decode("caf\u00e9 cr\u00e8me\r\n".getBytes(StandardCharsets.ISO_8859_1)).orElseThrow(),
        "invalid UTF-8 but mostly ASCII: windows-1252");
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i'};
    assertEquals("hi", TextDecoder.decode(bom).orElseThrow(), "UTF-8 BOM dropped");
    byte[] utf16 = "\uFEFFh\u00e9\u65e5".getBytes(StandardCharsets.UTF_16LE);
    assertEquals("h\u00e9\u65e5", TextDecoder.decode(utf16).orElseThrow(), "UTF-16LE with BOM despite its NULs");
    assertFalse(TextDecoder.looksBinary(utf16), "the head sniff of a large file knows the BOM too");
    assertTrue(TextDecoder.looksBinary(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', 0}));
    assertEquals("a\nb\nc", TextDecoder.decode("a\rb\r\nc".getBytes(StandardCharsets.US_ASCII)).orElseThrow());
  }

  @Test
  void unicodeTextRoundTrips() {
    String text = "Gr\u00f6\u00dfe \u2014 na\u00efve caf\u00e9. \u65e5\u672c\u8a9e\u306e\u6587\u3067\u3059\u3002 Emoji \uD83D\uDE00 ok.\n";
    Document doc = loadOne("unicode.txt", text.getBytes(StandardCharsets.UTF_8));
    assertEquals(text, doc.text());
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, doc.size());
  }

  @Test
  void fileTypesByExtension() {
    assertEquals(new FileType(DocumentFormat.CODE, "python"), FileType.of("x.PY"));
    assertEquals(new FileType(DocumentFormat.CONFIG, "yaml"), FileType.of("ci.yml"));
    assertEquals(new FileType(DocumentFormat.TEXT, "text"), FileType.of("LICENSE"));
    assertEquals(new FileType(DocumentFormat.TEXT, "text"), FileType.of(".bashrc"));
    assertTrue(FileType.DEFAULT_EXTENSIONS.containsAll(List.of(".md", ".pdf", ".java", ".py", ".html", ".json", ".txt")));
  }
}
