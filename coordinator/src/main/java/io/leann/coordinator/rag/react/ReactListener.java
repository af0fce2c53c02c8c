package io.leann.coordinator.rag.react;

/**
 * Watches an agent run as it happens, e.g. to print each step at a terminal. Every method has a
 * do-nothing default; calls come from the thread running the agent.
 */
public interface ReactListener {
  ReactListener NONE = new ReactListener() {};

  /** A tool was called and answered. */
  default void onStep(int iteration, ReactStep step) {}

  /** The model's reply could not be used and it is asked again once. */
  default void onRetry(String reason) {}

  /** The agent stops stepping and has the model write the answer from the observations. */
  default void onSynthesis(String why) {}

  /**
   * The model has begun its final answer (not a synthesis): the answer's text follows through
   * {@link #onToken}.
   */
  default void onAnswer() {}

  /** A piece of the answer as it streams in: the model's final answer, or the synthesised one. */
  default void onToken(String token) {}
}
