package io.leann.coordinator.rag;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Reads server-sent events line by line (the WHATWG event-stream format): {@code event:} and
 * {@code data:} fields, several {@code data:} lines joined by newlines, comments ({@code :...})
 * skipped, an event dispatched at the blank line that ends it. {@link #finish()} dispatches an
 * event the stream ended without its blank line, as lenient clients do.
 *
 * <p>Not thread-safe: one parser per stream.
 */
final class SseParser implements Consumer<String> {
  private final BiConsumer<String, String> onEvent;
  private String event;
  private StringBuilder data;

  /** @param onEvent receives (event type, or {@code message} when unnamed; data) */
  SseParser(BiConsumer<String, String> onEvent) {
    this.onEvent = onEvent;
  }

  @Override
  public void accept(String line) {
    if (line.isEmpty()) {
      dispatch();
      return;
    }
    if (line.startsWith(":")) {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> event = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {
        // id and retry do not matter to a one-shot request
      }
    }
  }

  /** Dispatches a last event that had data but no closing blank line. */
  void finish() {
    dispatch();
  }

  private void dispatch() {
    if (data != null) {
      onEvent.accept(event == null ? "message" : event, data.toString());
    }
    event = null;
    data = null;
  }
}
