package io.leann.coordinator.rag.react;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Watches one streamed reply of the agent's model and passes on its final answer as it arrives, so
 * a terminal or an SSE client reads the answer while the model writes it rather than after.
 *
 * <p>Invariant: what it has passed to {@link ReactListener#onToken} is always a prefix of the answer
 * {@link ReactParser#parse} will return for the whole reply. It therefore stays silent until the
 * reply is known to be a final answer ({@link ReactParser#finalAnswerStart}), skips the whitespace
 * after the marker, and holds back a last line that could still become a made-up
 * {@code Observation:} (which parse would cut). {@link #finish} then passes on what was held back.
 * Not thread-safe: tokens come from one thread, in order.
 */
final class FinalAnswerTap implements Consumer<String> {
  private static final String OBSERVATION = "observation:";

  private final ReactListener listener;
  private final StringBuilder reply = new StringBuilder();
  private int emitted;
  private boolean started;
  private boolean ended;

  FinalAnswerTap(ReactListener listener) {
    this.listener = listener;
  }

  @Override
  public void accept(String token) {
    reply.append(token);
    if (ended) {
      return;
    }
    String full = reply.toString();
    int start = ReactParser.finalAnswerStart(full);
    if (start < 0) {
      return;
    }
    int observation = ReactParser.observationStart(full);
    ended = observation < full.length();
    String raw = full.substring(start, observation);
    int end = ended ? raw.length() : heldBack(raw);
    int lead = raw.length() - raw.stripLeading().length();
    emit(raw.stripLeading(), Math.max(0, end - lead));
  }

  /** Passes on the rest of {@code answer}, the parsed whole, once the reply is complete. */
  void finish(String answer) {
    emit(answer, answer.length());
  }

  private void emit(String answer, int end) {
    String text = answer.substring(0, Math.max(end, emitted)).stripTrailing();
    if (text.length() <= emitted) {
      return;
    }
    if (!started) {
      started = true;
      listener.onAnswer();
    }
    listener.onToken(text.substring(emitted));
    emitted = text.length();
  }

  /** Where {@code raw} ends less a last line that may still turn into {@code Observation:}. */
  private static int heldBack(String raw) {
    int lineStart = raw.lastIndexOf('\n') + 1;
    String last = raw.substring(lineStart).replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    return lineStart > 0 && !last.isEmpty() && OBSERVATION.startsWith(last) ? lineStart : raw.length();
  }
}
