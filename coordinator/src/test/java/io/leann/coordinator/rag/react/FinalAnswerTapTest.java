package io.leann.coordinator.rag.react;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What reaches the listener while a reply streams in is a prefix of the parsed final answer, and
 * after {@link FinalAnswerTap#finish} exactly the answer, however the reply is cut into tokens.
 */
class FinalAnswerTapTest {
  /** Records the answer's pieces and how often it began. */
  static final class Pieces implements ReactListener {
    final StringBuilder text = new StringBuilder();
    final List<String> prefixes = new ArrayList<>();
    int began;

    @Override
    public void onAnswer() {
      began++;
    }

    @Override
    public void onToken(String token) {
      text.append(token);
      prefixes.add(text.toString());
    }
  }

  /** Streams {@code reply} in pieces of {@code size} characters; returns what the listener saw. */
  private static Pieces stream(String reply, int size) {
    Pieces pieces = new Pieces();
    FinalAnswerTap tap = new FinalAnswerTap(pieces);
    for (int i = 0; i < reply.length(); i += size) {
      tap.accept(reply.substring(i, Math.min(reply.length(), i + size)));
    }
    if (ReactParser.parse(reply) instanceof ReactParser.Final f) {
      tap.finish(f.answer());
      for (String prefix : pieces.prefixes) {
        assertEquals(true, f.answer().startsWith(prefix), "'" + prefix + "' is not a prefix of '" + f.answer() + "'");
      }
    }
    return pieces;
  }

  private static void assertStreams(String reply, String answer) {
    for (int size = 1; size <= reply.length(); size++) {
      Pieces pieces = stream(reply, size);
      assertEquals(answer, pieces.text.toString(), "pieces of " + size);
      assertEquals(answer.isEmpty() ? 0 : 1, pieces.began, "pieces of " + size);
    }
  }

  @Test
  void aFinalAnswerStreamsWhateverTheTokenBoundaries() {
    assertStreams("Thought: I know it.\nFinal Answer:  It was 1851.\nSecond line.\n", "It was 1851.\nSecond line.");
  }

  @Test
  void aMadeUpObservationIsNeverShown() {
    assertStreams("Final Answer: 1851\nObservation: invented by the model", "1851");
    assertStreams("Final Answer: 1851\n  observation : invented", "1851");
  }

  @Test
  void aLineThatOnlyLooksLikeAnObservationAtFirstIsShown() {
    assertStreams("Final Answer: seen\nObserved in 1851.", "seen\nObserved in 1851.");
  }

  @Test
  void anActionIsNeverShownNorIsAFinalAnswerAfterIt() {
    assertStreams("Thought: search first.\nAction: leann_search(\"x\")\nFinal Answer: too early", "");
    assertStreams("Thought: x\nObservation: made up\nFinal Answer: after a made-up observation", "");
  }
}
