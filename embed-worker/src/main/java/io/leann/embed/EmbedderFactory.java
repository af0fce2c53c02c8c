package io.leann.embed;

import io.leann.embed.leann.LeannServerEmbedder;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.remote.GeminiEmbedder;
import io.leann.embed.remote.OllamaEmbedder;
import io.leann.embed.remote.OpenAiEmbedder;
import io.leann.protocol.index.IndexMeta;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks the embedder for LEANN's {@code embedding_mode} and {@code embedding_model}, reading
 * keys, hosts and base URLs from the given environment.
 *
 * <p>Modes: {@code sentence-transformers} (alias {@code onnx}, the default) runs the shipped
 * all-MiniLM-L6-v2 locally and accepts no other model, since nothing is downloaded at run time;
 * {@code openai}, {@code ollama} and {@code gemini} call those providers, with their default model
 * when none is given; {@code leann-server} asks a running Python LEANN embedding server
 * ({@code LEANN_EMBEDDING_SERVER}, default {@code tcp://127.0.0.1:5557}), which must serve the model.
 *
 * <p>Stateless.
 */
public final class EmbedderFactory {

  /** Model names the local mode accepts: the shipped model, with or without its organisation. */
  private static final List<String> LOCAL_MODELS =
      List.of(OnnxEmbedder.MODEL_ID, "all-MiniLM-L6-v2");

  private EmbedderFactory() {}

  /** {@link #create(String, String, Map)} with the process environment. */
  public static Embedder create(String mode, String model) {
    return create(mode, model, System.getenv());
  }

  /**
   * @param mode LEANN's embedding mode; null or blank means {@code sentence-transformers}
   * @param model the model; null or blank means the mode's default
   * @throws EmbeddingException for an unknown mode, a model not available locally, or a missing
   *     API key
   */
  public static Embedder create(String mode, String model, Map<String, String> env) {
    return create(mode, model, env, null);
  }

  /**
   * Like {@link #create(String, String, Map)}, with an index's recorded {@code embedding_options}:
   * {@value #MAX_SEQ_LENGTH} sets how many tokens the local model sees per text, which must match
   * how the index was embedded (sentence-transformers truncates all-MiniLM-L6-v2 at 256, the
   * tokenizer shipped with the ONNX artifact at 128).
   *
   * @param options the index's embedding options, or null
   */
  public static Embedder create(String mode, String model, Map<String, String> env, Map<String, String> options) {
    String m = mode == null || mode.isBlank() ? "sentence-transformers"
        : mode.strip().toLowerCase(Locale.ROOT);
    String name = model == null || model.isBlank() ? null : model.strip();
    return switch (m) {
      case "sentence-transformers", "onnx" -> local(name, maxSeqLength(options));
      case "openai" -> OpenAiEmbedder.fromEnvironment(name, env);
      case "ollama" -> OllamaEmbedder.fromEnvironment(name, env);
      case "gemini" -> GeminiEmbedder.fromEnvironment(name, env);
      case "leann-server" -> LeannServerEmbedder.fromEnvironment(name, env);
      default -> throw new EmbeddingException("unknown embedding mode '" + mode
          + "': use sentence-transformers (local), openai, ollama, gemini or leann-server");
    };
  }

  /** The {@code embedding_options} key naming the local model's tokens per text. */
  public static final String MAX_SEQ_LENGTH = IndexMeta.MAX_SEQ_LENGTH;

  private static Integer maxSeqLength(Map<String, String> options) {
    String v = options == null ? null : options.get(MAX_SEQ_LENGTH);
    if (v == null) {
      return null;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new EmbeddingException("embedding option " + MAX_SEQ_LENGTH + " is not a number: '" + v + "'");
    }
  }

  private static Embedder local(String model, Integer maxSeqLength) {
    if (model != null && LOCAL_MODELS.stream().noneMatch(model::equalsIgnoreCase)) {
      throw new EmbeddingException("model '" + model + "' is not available locally: the only local"
          + " model is " + OnnxEmbedder.MODEL_ID + " (shipped, nothing is downloaded); use"
          + " embedding mode openai, ollama or gemini for other models");
    }
    if (maxSeqLength == null) {
      return OnnxEmbedder.create();
    }
    OnnxEmbedder.Options d = OnnxEmbedder.Options.defaults();
    try {
      return OnnxEmbedder.create(new OnnxEmbedder.Options(d.threads(), d.intraOpThreads(), maxSeqLength));
    } catch (IllegalArgumentException e) {
      throw new EmbeddingException("embedding option " + MAX_SEQ_LENGTH + ": " + e.getMessage());
    }
  }
}
