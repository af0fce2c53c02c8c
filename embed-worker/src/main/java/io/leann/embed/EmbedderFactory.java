package io.leann.embed;

import io.leann.embed.leann.LeannServerEmbedder;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.remote.GeminiEmbedder;
import io.leann.embed.remote.OllamaEmbedder;
import io.leann.embed.remote.OpenAiEmbedder;
import io.leann.protocol.index.IndexMeta;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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
 * <p>Where a remote provider is, and its key, are settled in this order: the command-line flags
 * ({@code --embedding-host}, {@code --embedding-api-base}, {@code --embedding-api-key}, laid over
 * the environment by {@link #withFlags}), then the environment ({@code OLLAMA_HOST},
 * {@code OPENAI_BASE_URL}, ...), then the index's recorded {@value #HOST} / {@value #BASE_URL}
 * option, then the provider's default. Keys are never recorded: they come from a flag or the
 * environment every time.
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
      case "openai" -> OpenAiEmbedder.fromEnvironment(name, recorded(env, options, BASE_URL, OPENAI_URL));
      case "ollama" -> OllamaEmbedder.fromEnvironment(name, recorded(env, options, HOST, OLLAMA_URL));
      case "gemini" -> GeminiEmbedder.fromEnvironment(name, recorded(env, options, BASE_URL, GEMINI_URL));
      case "leann-server" -> LeannServerEmbedder.fromEnvironment(name, env);
      default -> throw new EmbeddingException("unknown embedding mode '" + mode
          + "': use sentence-transformers (local), openai, ollama, gemini or leann-server");
    };
  }

  /** The {@code embedding_options} key naming the local model's tokens per text. */
  public static final String MAX_SEQ_LENGTH = IndexMeta.MAX_SEQ_LENGTH;
  /** The {@code embedding_options} key of the Ollama host an index was built with (the Python LEANN's). */
  public static final String HOST = "host";
  /** The {@code embedding_options} key of the OpenAI-compatible (or Gemini) API base (the Python LEANN's). */
  public static final String BASE_URL = "base_url";

  /** The environment variables choosing each provider's server, the first one winning. */
  private static final List<String> OPENAI_URL = List.of("LEANN_OPENAI_BASE_URL", "OPENAI_BASE_URL");
  private static final List<String> OLLAMA_URL = List.of("LEANN_OLLAMA_HOST", "OLLAMA_HOST");
  private static final List<String> GEMINI_URL = List.of("LEANN_GEMINI_BASE_URL", "GEMINI_BASE_URL");

  /**
   * {@code env} with the embedding flags laid over it, so that they win over the variables they
   * stand for: {@code host} (Ollama), {@code apiBase} (OpenAI-compatible or Gemini) and
   * {@code apiKey} (OpenAI-compatible or Gemini), each null when not given. The key goes where the
   * provider reads it, so it is redacted from errors like a key from the environment.
   *
   * @throws EmbeddingException for a flag the mode has no use for, so a typo does not go unnoticed
   */
  public static Map<String, String> withFlags(String mode, Map<String, String> env, String host,
      String apiBase, String apiKey) {
    String m = mode == null || mode.isBlank() ? "sentence-transformers" : mode.strip().toLowerCase(Locale.ROOT);
    Map<String, String> out = new HashMap<>(env);
    if (host != null) {
      requireMode(m, "--embedding-host", "ollama");
      out.put(OLLAMA_URL.get(0), host);
    }
    if (apiBase != null) {
      requireMode(m, "--embedding-api-base", "openai", "gemini");
      out.put((m.equals("gemini") ? GEMINI_URL : OPENAI_URL).get(0), apiBase);
    }
    if (apiKey != null) {
      requireMode(m, "--embedding-api-key", "openai", "gemini");
      out.put(m.equals("gemini") ? "GOOGLE_API_KEY" : "OPENAI_API_KEY", apiKey);
    }
    return out;
  }

  /**
   * What an index built in {@code mode} under {@code env} records so that searching finds the same
   * server without setting anything again: {@value #HOST} or {@value #BASE_URL} when the flags or
   * the environment chose one (the default needs no record). User info ({@code user:password@})
   * is left out, since the meta is no place for secrets.
   */
  public static Map<String, String> endpointOptions(String mode, Map<String, String> env) {
    String m = mode == null || mode.isBlank() ? "" : mode.strip().toLowerCase(Locale.ROOT);
    Map<String, String> out = new LinkedHashMap<>();
    switch (m) {
      case "openai" -> first(env, OPENAI_URL).ifPresent(v -> out.put(BASE_URL, withoutUserInfo(v)));
      case "ollama" -> first(env, OLLAMA_URL).ifPresent(v -> out.put(HOST, withoutUserInfo(v)));
      case "gemini" -> first(env, GEMINI_URL).ifPresent(v -> out.put(BASE_URL, withoutUserInfo(v)));
      default -> { }
    }
    return out;
  }

  private static void requireMode(String mode, String flag, String... modes) {
    if (!List.of(modes).contains(mode)) {
      throw new EmbeddingException(flag + " applies to embedding mode " + String.join(" or ", modes)
          + ", not to " + mode);
    }
  }

  /** {@code env}, plus the index's recorded server when no variable in {@code names} chooses one. */
  private static Map<String, String> recorded(Map<String, String> env, Map<String, String> options, String key,
      List<String> names) {
    String value = options == null ? null : options.get(key);
    if (value == null || value.isBlank() || first(env, names).isPresent()) {
      return env;
    }
    Map<String, String> out = new HashMap<>(env);
    out.put(names.get(0), value);
    return out;
  }

  private static Optional<String> first(Map<String, String> env, List<String> names) {
    return names.stream().map(env::get).filter(v -> v != null && !v.isBlank()).map(String::strip).findFirst();
  }

  private static String withoutUserInfo(String url) {
    try {
      URI u = new URI(url);
      if (u.getRawUserInfo() == null) {
        return url;
      }
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), u.getFragment())
          .toString();
    } catch (URISyntaxException e) {
      // An Ollama host may be a bare "host:port"; only a URL can carry user info.
      return url.contains("@") ? url.substring(url.lastIndexOf('@') + 1) : url;
    }
  }

  private static Integer maxSeqLength(Map<String, String> options) {
    try {
      return IndexMeta.maxSeqLength(options);
    } catch (IllegalArgumentException e) {
      throw new EmbeddingException(e.getMessage());
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
