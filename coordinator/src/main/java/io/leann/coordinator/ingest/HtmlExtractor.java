package io.leann.coordinator.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * The visible text of an HTML page, via jsoup. The charset comes from the BOM or a
 * {@code <meta charset>}, else UTF-8.
 *
 * <p>Unlike jsoup's {@code Element.text()}, which returns a single line, block elements and
 * {@code <br>} end a line and paragraphs stay separated by a blank line, so sentence splitting and
 * line numbers stay meaningful; whitespace inside {@code <pre>} and {@code <textarea>} is kept.
 * Scripts, styles and templates contribute nothing. The {@code <title>} becomes the first line of
 * the text (so it is embedded with the first chunk) and the document title.
 *
 * <p>Stateless and thread-safe.
 */
final class HtmlExtractor {

  private static final Set<String> SKIPPED = Set.of("script", "style", "noscript", "template", "svg");
  private static final Set<String> PREFORMATTED = Set.of("pre", "textarea", "listing", "plaintext");
  /** Blocks that are items of a list or table: one line each, no blank line between them. */
  private static final Set<String> LINE_BLOCKS = Set.of("li", "dt", "dd", "tr", "option");
  /** Table cells: jsoup calls them blocks, but a row reads better on one line. */
  private static final Set<String> CELLS = Set.of("td", "th");

  private HtmlExtractor() {
  }

  static Extracted extract(byte[] bytes) throws ExtractionException {
    org.jsoup.nodes.Document html;
    try {
      html = Jsoup.parse(new ByteArrayInputStream(bytes), null, "");
    } catch (IOException e) {
      throw new ExtractionException("could not parse HTML: " + e.getMessage(), e);
    }
    String title = html.title().strip();
    BlockText body = new BlockText();
    NodeTraversor.traverse(body, html.body());
    String bodyText = body.result();
    String text = title.isEmpty() ? bodyText : bodyText.isEmpty() ? title : title + "\n\n" + bodyText;
    return new Extracted(text, title, List.of());
  }

  /** Collects text, starting a new line at block boundaries and collapsing runs of blank lines. */
  private static final class BlockText implements NodeVisitor {
    private final StringBuilder out = new StringBuilder();
    private int preformatted;
    private int skipped;

    @Override
    public void head(Node node, int depth) {
      if (node instanceof Element e) {
        String tag = e.normalName();
        if (SKIPPED.contains(tag)) {
          skipped++;
        } else if (PREFORMATTED.contains(tag)) {
          preformatted++;
          paragraph();
        } else if (tag.equals("br")) {
          lineBreak();
        } else if (LINE_BLOCKS.contains(tag)) {
          newLine();
        } else if (CELLS.contains(tag)) {
          appendCollapsed(" ");
        } else if (e.isBlock()) {
          paragraph();
        }
      } else if (node instanceof TextNode t && skipped == 0) {
        if (preformatted > 0) {
          out.append(t.getWholeText());
        } else {
          appendCollapsed(t.getWholeText());
        }
      }
    }

    @Override
    public void tail(Node node, int depth) {
      if (node instanceof Element e) {
        String tag = e.normalName();
        if (SKIPPED.contains(tag)) {
          skipped--;
        } else if (PREFORMATTED.contains(tag)) {
          preformatted--;
          paragraph();
        } else if (LINE_BLOCKS.contains(tag)) {
          newLine();
        } else if (!CELLS.contains(tag) && !tag.equals("br") && e.isBlock()) {
          paragraph();
        }
      }
    }

    private void appendCollapsed(String raw) {
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (Character.isWhitespace(c) || c == '\u00A0') {
          if (!out.isEmpty() && !atLineStart() && out.charAt(out.length() - 1) != ' ') {
            out.append(' ');
          }
        } else {
          out.append(c);
        }
      }
    }

    /** A {@code <br>}: ends the line; a second one in a row leaves a blank line, a third nothing more. */
    private void lineBreak() {
      trimTrailingSpaces();
      if (!out.isEmpty() && !(out.length() >= 2 && out.charAt(out.length() - 1) == '\n' && out.charAt(out.length() - 2) == '\n')) {
        out.append('\n');
      }
    }

    /** Ends the current line unless the text is empty or already at a line start. */
    private void newLine() {
      trimTrailingSpaces();
      if (!out.isEmpty() && !atLineStart()) {
        out.append('\n');
      }
    }

    /** Ends the current line and leaves one blank line, unless the text already ends that way. */
    private void paragraph() {
      trimTrailingSpaces();
      if (out.isEmpty()) {
        return;
      }
      if (out.charAt(out.length() - 1) != '\n') {
        out.append('\n');
      }
      if (out.length() < 2 || out.charAt(out.length() - 2) != '\n') {
        out.append('\n');
      }
    }

    private boolean atLineStart() {
      return out.charAt(out.length() - 1) == '\n';
    }

    private void trimTrailingSpaces() {
      while (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') {
        out.setLength(out.length() - 1);
      }
    }

    String result() {
      return TextDecoder.normalizeLineEnds(out.toString()).strip();
    }
  }
}
