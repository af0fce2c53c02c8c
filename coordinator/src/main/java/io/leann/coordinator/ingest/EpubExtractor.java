package io.leann.coordinator.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.poi.openxml4j.util.ZipArchiveThresholdInputStream;
import org.apache.poi.openxml4j.util.ZipInputStreamZipEntrySource;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

/**
 * The text of an EPUB book: the XHTML documents of its spine, in reading order, each through
 * {@link HtmlExtractor}, separated by a blank line; the title is the package's {@code dc:title}.
 *
 * <p>The archive is unpacked by POI's guarded zip reader, so the zip-bomb limits of
 * {@link OfficeExtractor} hold here too. A book without {@code META-INF/container.xml}, a package
 * document or a spine fails with a reason. Stateless and thread-safe.
 */
final class EpubExtractor {

  private static final String CONTAINER = "META-INF/container.xml";

  private EpubExtractor() {
  }

  static Extracted extract(byte[] bytes) throws ExtractionException {
    OfficeExtractor.guardZips();
    try (ZipInputStreamZipEntrySource zip = new ZipInputStreamZipEntrySource(
        new ZipArchiveThresholdInputStream(new ZipArchiveInputStream(new ByteArrayInputStream(bytes))))) {
      Element container = xml(zip, CONTAINER);
      Element rootfile = container.selectFirst("rootfile[full-path]");
      if (rootfile == null) {
        throw new ExtractionException("could not read EPUB: " + CONTAINER + " names no package document");
      }
      String opfPath = rootfile.attr("full-path");
      Element opf = xml(zip, opfPath);
      Map<String, String> hrefs = new HashMap<>();
      for (Element item : opf.select("manifest > item[id][href]")) {
        hrefs.put(item.attr("id"), item.attr("href"));
      }
      StringBuilder text = new StringBuilder();
      for (Element itemref : opf.select("spine > itemref[idref]")) {
        String href = hrefs.get(itemref.attr("idref"));
        if (href == null || itemref.attr("linear").equals("no")) {
          continue;
        }
        String chapter = HtmlExtractor.extract(read(zip, resolve(opfPath, href))).text();
        if (!chapter.isEmpty()) {
          text.append(text.isEmpty() ? "" : "\n\n").append(chapter);
        }
      }
      Element title = opf.selectFirst("metadata > dc|title, metadata > title");
      return new Extracted(text.toString(), title == null ? "" : title.text().strip(), List.of());
    } catch (IOException | RuntimeException e) {
      throw new ExtractionException("could not read EPUB: " + e.getMessage(), e);
    }
  }

  private static Element xml(ZipInputStreamZipEntrySource zip, String name) throws IOException {
    return Jsoup.parse(new String(read(zip, name), StandardCharsets.UTF_8), "", Parser.xmlParser());
  }

  private static byte[] read(ZipInputStreamZipEntrySource zip, String name) throws IOException {
    ZipArchiveEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new IOException("no " + name + " in the archive");
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

  /** A manifest href (relative to the package document, percent-encoded) as an archive entry name. */
  private static String resolve(String opfPath, String href) {
    try {
      return new URI(null, null, opfPath, null).resolve(new URI(href)).getPath();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad manifest href '" + href + "'", e);
    }
  }
}
