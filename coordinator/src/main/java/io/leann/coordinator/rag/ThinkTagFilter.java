package io.leann.coordinator.rag;

import java.util.function.Consumer;

/**
 * Drops a leading {@code <think>...</think>} block from a streamed answer. Reasoning models served
 * through Ollama or OpenAI-compatible servers (Qwen3, DeepSeek-R1) put their reasoning inline in
 * these tags unless the server separates it; the reasoning is not the answer and must not be shown
 * or cited as one.
 *
 * <p>Tokens are held back only while the answer could still be starting such a block. Not
 * thread-safe: one filter per generation.
 */
final class ThinkTagFilter implements Consumer<String> {
  private static final String OPEN = "<think>";
  private static final String CLOSE = "</think>";

  private enum State {
    /** Nothing shown yet; the text so far may be the start of {@code <think>}. */
    START,
    /** Inside the block; only the tail that may start {@code </think>} is kept. */
    THINKING,
    /** After the block: whitespace before the answer is dropped. */
    AFTER_THINKING,
    /** The answer: everything passes. */
    PASS
  }

  private final Consumer<String> downstream;
  private final StringBuilder held = new StringBuilder();
  private final StringBuilder answer = new StringBuilder();
  private State state = State.START;

  ThinkTagFilter(Consumer<String> downstream) {
    this.downstream = downstream;
  }

  @Override
  public void accept(String token) {
    switch (state) {
      case PASS -> emit(token);
      case AFTER_THINKING -> answerStarts(token);
      case THINKING -> {
        held.append(token);
        endOfThinking();
      }
      case START -> {
        held.append(token);
        String s = held.toString().stripLeading();
        if (s.startsWith(OPEN)) {
          state = State.THINKING;
          held.setLength(0);
          held.append(s, OPEN.length(), s.length());
          endOfThinking();
        } else if (!OPEN.startsWith(s)) {
          state = State.PASS;
          String all = held.toString();
          held.setLength(0);
          emit(all);
        }
      }
    }
  }

  /**
   * Call at the end of the stream: releases text held back that turned out not to open a block.
   *
   * @return the answer without the thinking block
   */
  String finish() {
    if (state == State.START) {
      emit(held.toString());
    }
    held.setLength(0);
    return answer.toString();
  }

  private void endOfThinking() {
    int close = held.indexOf(CLOSE);
    if (close < 0) {
      if (held.length() > CLOSE.length()) {
        held.delete(0, held.length() - CLOSE.length());
      }
      return;
    }
    String rest = held.substring(close + CLOSE.length());
    held.setLength(0);
    state = State.AFTER_THINKING;
    answerStarts(rest);
  }

  private void answerStarts(String token) {
    String s = token.stripLeading();
    if (!s.isEmpty()) {
      state = State.PASS;
      emit(s);
    }
  }

  private void emit(String text) {
    if (!text.isEmpty()) {
      answer.append(text);
      downstream.accept(text);
    }
  }
}
