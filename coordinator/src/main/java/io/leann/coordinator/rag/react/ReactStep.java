package io.leann.coordinator.rag.react;

/**
 * One Thought / Action / Observation round of the agent.
 *
 * @param thought what the model said it was thinking (may be empty)
 * @param tool the tool it called
 * @param input the tool's input
 * @param observation what the tool returned
 */
public record ReactStep(String thought, String tool, String input, String observation) {}
