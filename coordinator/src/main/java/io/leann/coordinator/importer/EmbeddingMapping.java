package io.leann.coordinator.importer;

import io.leann.embed.onnx.OnnxEmbedder;
import java.util.List;
import java.util.Locale;

/**
 * Maps the Python LEANN's {@code embedding_mode}/{@code embedding_model} to the provider that
 * computes the same vectors here: the search must embed queries (and, for a pruned index, passages)
 * with exactly the model the index was built with, or the results are meaningless.
 *
 * <p>sentence-transformers with all-MiniLM-L6-v2 runs locally (the shipped ONNX model); openai,
 * ollama and gemini call the same providers by the same model name. Anything else (another
 * sentence-transformers model such as facebook/contriever, mlx) has no local equivalent, so the
 * user must name a provider serving that model, with {@code --embedding-mode}/{@code --embedding-model}:
 * for instance {@code leann-server}, a running Python LEANN embedding server that has it loaded.
 *
 * @param mode our embedding mode
 * @param model the model id
 * @param maxSeqLength tokens per text the local model saw when the index was embedded, recorded in
 *     our meta's {@code embedding_options}; null for the model's default (256)
 */
public record EmbeddingMapping(String mode, String model, Integer maxSeqLength) {
  public EmbeddingMapping(String mode, String model) {
    this(mode, model, null);
  }

  /**
   * This mapping with the local model's tokens per text set; the model's default is recorded as no
   * option, the way embed workers running it describe themselves ({@code Embedder#maxSeqLength}).
   */
  public EmbeddingMapping withMaxSeqLength(Integer tokens) {
    if (tokens != null && !LOCAL.equals(mode)) {
      throw new IllegalArgumentException("--max-seq-length applies to the local model only, not to " + mode);
    }
    return new EmbeddingMapping(mode, model,
        tokens == null || tokens == OnnxEmbedder.DEFAULT_MAX_SEQUENCE_LENGTH ? null : tokens);
  }

  private static final String LOCAL = "sentence-transformers";
  private static final List<String> LOCAL_MODELS = List.of(OnnxEmbedder.MODEL_ID, "all-MiniLM-L6-v2");
  private static final List<String> REMOTE = List.of("openai", "ollama", "gemini", "leann-server");

  /**
   * Our mode and model for an index built with {@code mode}/{@code model}, unless overridden.
   *
   * @param modeOverride {@code --embedding-mode}, or null
   * @param modelOverride {@code --embedding-model}, or null (keeps the index's model name)
   * @throws IllegalArgumentException for a model with no equivalent here, saying what to pass
   */
  public static EmbeddingMapping of(String mode, String model, String modeOverride, String modelOverride) {
    String m = modeOverride != null ? modeOverride : mode == null || mode.isBlank() ? LOCAL : mode;
    String name = modelOverride != null ? modelOverride : model;
    String lower = m.strip().toLowerCase(Locale.ROOT);
    if ((lower.equals(LOCAL) || lower.equals("onnx"))
        && LOCAL_MODELS.stream().anyMatch(name::equalsIgnoreCase)) {
      return new EmbeddingMapping(LOCAL, OnnxEmbedder.MODEL_ID);
    }
    if (REMOTE.contains(lower)) {
      return new EmbeddingMapping(lower, name);
    }
    throw new IllegalArgumentException("the index was embedded with " + mode + " model '" + model
        + "', which cannot be computed here (the only local model is " + OnnxEmbedder.MODEL_ID
        + "). Pass --embedding-mode and --embedding-model naming a provider that serves the same model:"
        + " --embedding-mode leann-server (a running Python LEANN embedding server with it loaded, at"
        + " LEANN_EMBEDDING_SERVER), --embedding-mode ollama --embedding-model <its Ollama name>, or"
        + " --embedding-mode openai with OPENAI_BASE_URL pointing at a server running '" + model + "'");
  }
}
