package io.leann.coordinator.rag.react;

import io.leann.coordinator.rag.Passage;
import java.util.List;

/**
 * Something the ReAct agent can do between two thoughts. The model calls it as
 * {@code Action: name("input")} and reads what {@link #run} returns as the {@code Observation}.
 * The index search ({@link SearchTool}) is the built-in one; others (web search, a calculator)
 * plug in by implementing this.
 */
public interface Tool {

  /** The name the model calls it by, e.g. {@code leann_search}: letters, digits, underscores. */
  String name();

  /** One line for the prompt: what it does and what its input is. */
  String description();

  /**
   * Runs the tool. A failure should come back as an observation that says so, not as an exception,
   * so the model can try something else; exceptions are turned into such observations anyway.
   */
  String run(String input);

  /** Passages this tool has shown the model so far, cited as the answer's sources. */
  default List<Passage> sources() {
    return List.of();
  }
}
