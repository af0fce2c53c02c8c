package io.leann.coordinator.ingest;

import java.util.List;

/**
 * Text pulled out of one file by an extractor, before it becomes a {@link Document}.
 *
 * @param text       extracted text, {@code \n} line ends
 * @param title      document title, {@code ""} when none
 * @param pageStarts offsets of page starts in {@code text}; empty when the format has no pages
 */
record Extracted(String text, String title, List<Integer> pageStarts) {

  static Extracted plain(String text) {
    return new Extracted(text, "", List.of());
  }
}
