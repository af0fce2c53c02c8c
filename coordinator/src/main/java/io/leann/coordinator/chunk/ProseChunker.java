package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Sentence-aware token windows for prose: sentences ({@link SentenceSplitter}) are packed into
 * windows of at most {@code size} tokens, the next window re-taking trailing sentences worth up to
 * {@code overlap} tokens; a sentence longer than the window is cut into words (and an over-long
 * word into token runs) so that no window exceeds the budget.
 *
 * <p>The budget is the sum of the units' token counts, which equals the count of the chunk text
 * for tokenizers that never merge across whitespace (WordPiece, and {@link ApproximateTokenCounter}).
 * Immutable and thread-safe.
 */
final class ProseChunker {

  private final TokenCounter counter;
  private final int size;
  private final int overlap;

  ProseChunker(TokenCounter counter, int size, int overlap) {
    this.counter = counter;
    this.size = size;
    this.overlap = overlap;
  }

  List<Piece> chunk(String text) {
    List<Span> units = new ArrayList<>();
    for (Span sentence : SentenceSplitter.split(text)) {
      int cost = counter.count(text.substring(sentence.start(), sentence.end()));
      if (cost <= size) {
        units.add(new Span(sentence.start(), sentence.end(), cost));
      } else {
        units.addAll(TextSpans.splitOversized(text, sentence.start(), sentence.end(), counter, size));
      }
    }
    List<Piece> pieces = new ArrayList<>();
    for (WindowPacker.Window w : WindowPacker.pack(units, size, overlap)) {
      pieces.add(Piece.of(units.get(w.from()).start(), units.get(w.to() - 1).end()));
    }
    return pieces;
  }
}
