package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

  private static List<String> sentences(String text) {
    return SentenceSplitter.split(text).stream().map(s -> text.substring(s.start(), s.end())).toList();
  }

  @Test
  void abbreviationsDecimalsAndInitials() {
    assertEquals(List.of("Dr. Smith arrived at 3.30 p.m. on Monday.", "He left e.g. early, i.e. before noon."),
        sentences("Dr. Smith arrived at 3.30 p.m. on Monday. He left e.g. early, i.e. before noon."));
    assertEquals(List.of("J. R. R. Tolkien wrote books.", "See Fig. 3 for details.", "Done!"),
        sentences("J. R. R. Tolkien wrote books. See Fig. 3 for details. Done!"));
    assertEquals(List.of("Visit example.com today.", "Version 2.0.1 is out."),
        sentences("Visit example.com today. Version 2.0.1 is out."));
    assertEquals(List.of("The answer is no.", "No. 5 wins."), sentences("The answer is no. No. 5 wins."));
  }

  @Test
  void questionMarksEllipsesAndQuotes() {
    assertEquals(List.of("Wait... what?", "And then...", "Nothing."), sentences("Wait... what? And then... Nothing."));
    assertEquals(List.of("He said \"Stop.\"", "Then he left (quietly.)", "Really?!", "Yes."),
        sentences("He said \"Stop.\" Then he left (quietly.) Really?! Yes."));
  }

  @Test
  void paragraphsSoftWrapsAndMarkdownBlocks() {
    String text = """
        # Title
        A sentence that wraps
        onto a second line.

        Second paragraph
        - item one
        - item two
        1. Install the tool.
        2. Run it.
        """;
    assertEquals(List.of("# Title", "A sentence that wraps\nonto a second line.", "Second paragraph", "- item one",
        "- item two", "1. Install the tool.", "2. Run it."), sentences(text));
  }

  @Test
  void cjkAndWhitespaceOnly() {
    assertEquals(List.of("\u4f60\u597d\u3002", "\u4e16\u754c\uff01", "OK"), sentences("\u4f60\u597d\u3002\u4e16\u754c\uff01OK"));
    assertEquals(List.of(), sentences(" \n\n\t "));
    assertEquals(List.of("no terminator"), sentences("  no terminator  "));
  }
}
