package io.leann.coordinator.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.poi.ooxml.POIXMLDocument;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.Row;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.sl.usermodel.Placeholder;
import org.apache.poi.xslf.usermodel.XMLSlideShow;
import org.apache.poi.xslf.usermodel.XSLFGroupShape;
import org.apache.poi.xslf.usermodel.XSLFNotes;
import org.apache.poi.xslf.usermodel.XSLFShape;
import org.apache.poi.xslf.usermodel.XSLFSlide;
import org.apache.poi.xslf.usermodel.XSLFTable;
import org.apache.poi.xslf.usermodel.XSLFTableCell;
import org.apache.poi.xslf.usermodel.XSLFTableRow;
import org.apache.poi.xslf.usermodel.XSLFTextShape;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.apache.poi.xwpf.usermodel.XWPFTableCell;
import org.apache.poi.xwpf.usermodel.XWPFTableRow;

/**
 * The text of Word ({@code .docx}), PowerPoint ({@code .pptx}) and Excel ({@code .xlsx}) files via
 * Apache POI, laid out for the sentence splitter: blocks separated by a blank line.
 * <ul>
 *   <li>docx: the body in order, a paragraph per line, a table row per line with cells separated
 *       by tabs;
 *   <li>pptx: one block per slide, its shapes' text (tables row by row) then its speaker notes;
 *   <li>xlsx: one block per sheet, the sheet name then each non-empty row, cells tab-separated as
 *       Excel displays them (formulas by their cached result).
 * </ul>
 *
 * <p>OOXML files are zip archives of XML, so a small file can inflate to gigabytes. POI's
 * zip-bomb guard is set explicitly, JVM-wide, before each file is read ({@link #guardZips()}, also
 * used for EPUB): an entry that inflates more
 * than {@value #MAX_INFLATE_FACTOR} times, or to more than {@link #MAX_ENTRY_BYTES}, is refused
 * and the file fails with a reason, like any file POI cannot read. Stateless and thread-safe.
 */
final class OfficeExtractor {

  /** POI's default ratio, stated so that it cannot drift with a POI upgrade. */
  static final double MIN_INFLATE_RATIO = 0.01;
  static final int MAX_INFLATE_FACTOR = (int) (1 / MIN_INFLATE_RATIO);
  /** Far above the XML part of any real document, low enough that POI's DOM of it fits in memory. */
  static final long MAX_ENTRY_BYTES = 256L << 20;

  private OfficeExtractor() {
  }

  /** Sets POI's zip-bomb guard, JVM-wide; idempotent, and called before every archive is opened. */
  static void guardZips() {
    ZipSecureFile.setMinInflateRatio(MIN_INFLATE_RATIO);
    ZipSecureFile.setMaxEntrySize(MAX_ENTRY_BYTES);
  }

  /** The text of an Office file of {@code type} ({@code docx}, {@code pptx} or {@code xlsx}). */
  static Extracted extract(FileType type, byte[] bytes) throws ExtractionException {
    String what = type.language().toUpperCase(Locale.ROOT);
    guardZips();
    try {
      return switch (type.language()) {
        case "docx" -> word(bytes);
        case "pptx" -> slides(bytes);
        case "xlsx" -> sheets(bytes);
        default -> throw new IllegalArgumentException("not an Office type: " + type);
      };
    } catch (IOException | RuntimeException e) {
      // POI reports a zip bomb, a legacy binary (OLE2) file and a corrupt archive alike as
      // IOException or an unchecked exception; the message says which.
      throw new ExtractionException("could not read " + what + ": " + rootMessage(e), e);
    }
  }

  private static Extracted word(byte[] bytes) throws IOException {
    try (XWPFDocument doc = new XWPFDocument(new ByteArrayInputStream(bytes))) {
      Blocks out = new Blocks();
      for (IBodyElement element : doc.getBodyElements()) {
        out.block();
        if (element instanceof XWPFParagraph p) {
          out.line(p.getText());
        } else if (element instanceof XWPFTable t) {
          for (XWPFTableRow row : t.getRows()) {
            List<String> cells = new ArrayList<>();
            for (XWPFTableCell cell : row.getTableCells()) {
              cells.add(cell.getText());
            }
            out.row(cells);
          }
        }
      }
      return out.done(title(doc));
    }
  }

  private static Extracted slides(byte[] bytes) throws IOException {
    try (XMLSlideShow show = new XMLSlideShow(new ByteArrayInputStream(bytes))) {
      Blocks out = new Blocks();
      for (XSLFSlide slide : show.getSlides()) {
        out.block();
        shapes(slide.getShapes(), out);
        XSLFNotes notes = slide.getNotes();
        if (notes != null) {
          for (XSLFShape shape : notes.getShapes()) {
            // The notes page also holds the slide image and number; only the body is the notes.
            if (shape instanceof XSLFTextShape text && text.getTextType() == Placeholder.BODY) {
              out.line(text.getText());
            }
          }
        }
      }
      return out.done(title(show));
    }
  }

  private static void shapes(List<XSLFShape> shapes, Blocks out) {
    for (XSLFShape shape : shapes) {
      switch (shape) {
        case XSLFTextShape text -> out.line(text.getText());
        case XSLFTable table -> {
          for (XSLFTableRow row : table.getRows()) {
            out.row(row.getCells().stream().map(XSLFTableCell::getText).toList());
          }
        }
        case XSLFGroupShape group -> shapes(group.getShapes(), out);
        default -> {
          // pictures, connectors, charts: no text worth indexing
        }
      }
    }
  }

  private static Extracted sheets(byte[] bytes) throws IOException {
    try (XSSFWorkbook book = new XSSFWorkbook(new ByteArrayInputStream(bytes))) {
      DataFormatter formatter = new DataFormatter();
      formatter.setUseCachedValuesForFormulaCells(true);
      Blocks out = new Blocks();
      for (Sheet sheet : book) {
        out.block();
        out.line(sheet.getSheetName());
        for (Row row : sheet) {
          List<String> cells = new ArrayList<>();
          for (int c = 0; c < row.getLastCellNum(); c++) {
            Cell cell = row.getCell(c);
            cells.add(cell == null ? "" : formatter.formatCellValue(cell));
          }
          out.row(cells);
        }
      }
      return out.done(title(book));
    }
  }

  private static String title(POIXMLDocument doc) {
    String title = doc.getProperties().getCoreProperties().getTitle();
    return title == null ? "" : title.strip();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() != null ? t.getMessage() : e.getMessage();
    return m != null ? m.strip() : t.getClass().getSimpleName();
  }

  /** Text lines grouped in blocks; blank lines are dropped, so a block break is exactly one blank line. */
  private static final class Blocks {
    private final StringBuilder text = new StringBuilder();
    private boolean breakPending;

    void block() {
      breakPending = !text.isEmpty();
    }

    void line(String raw) {
      add(TextDecoder.normalizeLineEnds(raw).strip());
    }

    /**
     * Cells joined by tabs, line breaks inside a cell flattened to spaces; leading empty cells keep
     * their tabs so columns stay aligned, an all-empty row is skipped.
     */
    void row(List<String> cells) {
      List<String> flat = cells.stream()
          .map(c -> c == null ? "" : c.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip()).toList();
      add(String.join("\t", flat).stripTrailing());
    }

    private void add(String line) {
      if (line.isBlank()) {
        return;
      }
      if (!text.isEmpty()) {
        text.append(breakPending ? "\n\n" : "\n");
      }
      breakPending = false;
      text.append(line);
    }

    Extracted done(String title) {
      return new Extracted(text.toString(), title, List.of());
    }
  }
}
