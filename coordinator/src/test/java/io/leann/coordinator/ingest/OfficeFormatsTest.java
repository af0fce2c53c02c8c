package io.leann.coordinator.ingest;

import static io.leann.coordinator.ingest.TestFiles.loadAll;
import static io.leann.coordinator.ingest.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.poi.ooxml.POIXMLDocument;
import org.apache.poi.poifs.filesystem.POIFSFileSystem;
import org.apache.poi.sl.usermodel.Placeholder;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFNotes;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTable;
import org.apache.poi.xslf.usermodel.XSLFTableRow;
import org.apache.poi.xslf.usermodel.XSLFTextShape;
import org.apache.poi.xssf.usermodel.XSSFRow;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Word, PowerPoint and Excel files written with POI's own writer API, and EPUB books zipped here,
 * loaded through the walk: their text in reading order, and every way such a file can be bad
 * ending as a named failure.
 */
class OfficeFormatsTest {

  @TempDir
  Path root;

  private static byte[] bytes(POIXMLDocument doc) throws IOException {
    try (doc; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      doc.write(out);
      return out.toByteArray();
    }
  }

  private Document loadOne(String name, byte[] content) {
    DocumentStream stream = new DocumentLoader().open(write(root, name, content));
    List<Document> docs = loadAll(stream);
    assertEquals(List.of(), stream.report().failures());
    assertEquals(1, docs.size());
    return docs.getFirst();
  }

  private LoadFailure failureOf(String name, byte[] content) {
    DocumentStream stream = new DocumentLoader().open(write(root, name, content));
    assertTrue(loadAll(stream).isEmpty());
    assertEquals(1, stream.report().failed());
    return stream.report().failures().getFirst();
  }

  static byte[] docx() throws IOException {
    XWPFDocument doc = new XWPFDocument();
    doc.getProperties().getCoreProperties().setTitle("Quarterly memo");
    doc.createParagraph().createRun().setText("Sales rose in the north.");
    doc.createParagraph();
    XWPFTable table = doc.createTable(2, 2);
    table.getRow(0).getCell(0).setText("Region");
    table.getRow(0).getCell(1).setText("Units");
    table.getRow(1).getCell(0).setText("North");
    table.getRow(1).getCell(1).setText("1200");
    doc.createParagraph().createRun().setText("Next steps follow the table.");
    return bytes(doc);
  }

  @Test
  void wordParagraphsAndTablesInBodyOrder() throws IOException {
    Document doc = loadOne("memo.docx", docx());
    assertEquals(DocumentFormat.OFFICE, doc.type().format());
    assertEquals("docx", doc.language());
    assertEquals("Quarterly memo", doc.title());
    assertEquals("Sales rose in the north.\n\nRegion\tUnits\nNorth\t1200\n\nNext steps follow the table.", doc.text());
  }

  @Test
  void slidesTextTablesAndNotesOneBlockPerSlide() throws IOException {
    XMLSlideShow show = new XMLSlideShow();
    XSLFSlide first = show.createSlide();
    first.createTextBox().setText("Roadmap 2026");
    XSLFTable table = first.createTable(1, 2);
    XSLFTableRow row = table.getRows().getFirst();
    row.getCells().get(0).setText("Q1");
    row.getCells().get(1).setText("ship the loader");
    XSLFNotes notes = show.getNotesSlide(first);
    for (XSLFTextShape shape : notes.getPlaceholders()) {
      if (shape.getTextType() == Placeholder.BODY) {
        shape.setText("Speaker: mention the budget.");
      }
    }
    show.createSlide().createTextBox().setText("Questions?");

    Document doc = loadOne("talk.pptx", bytes(show));
    assertEquals("pptx", doc.language());
    assertEquals("Roadmap 2026\nQ1\tship the loader\nSpeaker: mention the budget.\n\nQuestions?", doc.text());
  }

  @Test
  void sheetsByNameWithTabSeparatedRowsAndFormulaResults() throws IOException {
    XSSFWorkbook book = new XSSFWorkbook();
    XSSFSheet prices = book.createSheet("Prices");
    XSSFRow header = prices.createRow(0);
    header.createCell(0).setCellValue("Item");
    header.createCell(1).setCellValue("Price");
    header.createCell(2).setCellValue("Double");
    XSSFRow tea = prices.createRow(2);
    tea.createCell(0).setCellValue("Tea");
    tea.createCell(1).setCellValue(4);
    tea.createCell(2).setCellFormula("B3*2");
    XSSFRow note = prices.createRow(3);
    note.createCell(2).setCellValue("third column only");
    book.createSheet("Empty");
    book.createSheet("Notes").createRow(0).createCell(0).setCellValue("Prices exclude VAT.");
    book.getCreationHelper().createFormulaEvaluator().evaluateAll();

    Document doc = loadOne("prices.xlsx", bytes(book));
    assertEquals("xlsx", doc.language());
    assertEquals("Prices\nItem\tPrice\tDouble\nTea\t4\t8\n\t\tthird column only\n\nEmpty\n\nNotes\nPrices exclude VAT.",
        doc.text());
  }

  @Test
  void zipBombIsRefusedWithAReason() throws IOException {
    XWPFDocument doc = new XWPFDocument();
    // 4 MB of one letter deflates about 1000:1, far past the 100:1 the guard allows.
    doc.createParagraph().createRun().setText("a".repeat(4_000_000));
    LoadFailure failure = failureOf("bomb.docx", bytes(doc));
    assertTrue(failure.reason().startsWith("could not read DOCX: "), failure.reason());
    assertTrue(failure.reason().contains("Zip bomb"), failure.reason());
  }

  @Test
  void legacyAndCorruptFilesAreNamedFailures() throws IOException {
    byte[] ole2;
    try (POIFSFileSystem fs = new POIFSFileSystem(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      fs.writeFilesystem(out);
      ole2 = out.toByteArray();
    }
    LoadFailure legacy = failureOf("old-format.xlsx", ole2);
    assertTrue(legacy.reason().startsWith("could not read XLSX: "), legacy.reason());
    assertTrue(legacy.reason().contains("OLE2"), legacy.reason());

    byte[] docx = docx();
    LoadFailure truncated = failureOf("cut.docx", Arrays.copyOf(docx, docx.length / 2));
    assertTrue(truncated.reason().startsWith("could not read DOCX: "), truncated.reason());

    LoadFailure text = failureOf("notes.pptx", "not a zip at all".getBytes(StandardCharsets.US_ASCII));
    assertTrue(text.reason().startsWith("could not read PPTX: "), text.reason());
    assertFalse(text.reason().contains("Exception"), "a reason for a user, not a stack trace: " + text.reason());
  }

  /** An EPUB 3 book: the spine lists chapter 2 (a percent-encoded href) before chapter 1. */
  static byte[] epub(String chapterOneBody) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      entry(zip, "mimetype", "application/epub+zip");
      entry(zip, "META-INF/container.xml", """
          <?xml version="1.0"?>
          <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
            <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
          </container>""");
      entry(zip, "OEBPS/content.opf", """
          <?xml version="1.0"?>
          <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
            <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>A Field Guide</dc:title></metadata>
            <manifest>
              <item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>
              <item id="c2" href="text/chapter%202.xhtml" media-type="application/xhtml+xml"/>
              <item id="css" href="style.css" media-type="text/css"/>
            </manifest>
            <spine><itemref idref="c2"/><itemref idref="c1"/></spine>
          </package>""");
      entry(zip, "OEBPS/text/one.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>Owls</h1><p>"
          + chapterOneBody + "</p></body></html>");
      entry(zip, "OEBPS/text/chapter 2.xhtml", "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body>"
          + "<h1>Preface</h1><p>Read this first.</p></body></html>");
      entry(zip, "OEBPS/style.css", "body { color: black }");
    }
    return out.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, String content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  @Test
  void epubSpineDocumentsInReadingOrder() throws IOException {
    Document doc = loadOne("guide.epub", epub("Owls hunt at night."));
    assertEquals(DocumentFormat.EPUB, doc.type().format());
    assertEquals("A Field Guide", doc.title());
    assertEquals("Preface\n\nRead this first.\n\nOwls\n\nOwls hunt at night.", doc.text());
  }

  @Test
  void epubZipBombAndMissingContainerAreNamedFailures() throws IOException {
    LoadFailure bomb = failureOf("bomb.epub", epub(" ".repeat(4_000_000)));
    assertTrue(bomb.reason().startsWith("could not read EPUB: "), bomb.reason());
    assertTrue(bomb.reason().contains("Zip bomb"), bomb.reason());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      entry(zip, "mimetype", "application/epub+zip");
    }
    LoadFailure bare = failureOf("bare.epub", out.toByteArray());
    assertEquals("could not read EPUB: no META-INF/container.xml in the archive", bare.reason());
  }
}
