package io.leann.coordinator.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * The text of a PDF, page by page, via Apache PDFBox 3. Pages are joined with a blank line (a
 * paragraph break for the sentence splitter) and their start offsets recorded, so chunks can name
 * the page they come from.
 *
 * <p>A PDF that needs a password, forbids text extraction, or cannot be parsed fails with a
 * reason; a PDF without a text layer (a scan) yields empty text. Stateless and thread-safe (each
 * call uses its own {@link PDFTextStripper}).
 */
final class PdfExtractor {

  private PdfExtractor() {
  }

  static Extracted extract(byte[] bytes) throws ExtractionException {
    try (PDDocument pdf = Loader.loadPDF(bytes)) {
      if (pdf.isEncrypted() && !pdf.getCurrentAccessPermission().canExtractContent()) {
        throw new ExtractionException("encrypted PDF forbids text extraction");
      }
      PDFTextStripper stripper = new PDFTextStripper();
      stripper.setLineSeparator("\n");
      StringBuilder text = new StringBuilder();
      List<Integer> pageStarts = new ArrayList<>();
      int pages = pdf.getNumberOfPages();
      for (int page = 1; page <= pages; page++) {
        stripper.setStartPage(page);
        stripper.setEndPage(page);
        String pageText = TextDecoder.normalizeLineEnds(stripper.getText(pdf)).strip();
        if (page > 1) {
          text.append("\n\n");
        }
        pageStarts.add(text.length());
        text.append(pageText);
      }
      String title = pdf.getDocumentInformation().getTitle();
      return new Extracted(text.toString(), title == null ? "" : title.strip(), pageStarts);
    } catch (InvalidPasswordException e) {
      throw new ExtractionException("encrypted PDF (password required)", e);
    } catch (IOException e) {
      throw new ExtractionException("could not read PDF: " + e.getMessage(), e);
    }
  }
}
