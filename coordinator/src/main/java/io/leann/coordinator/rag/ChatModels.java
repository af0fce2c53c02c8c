package io.leann.coordinator.rag;

import io.leann.embed.remote.GeminiEmbedder;
import io.leann.protocol.http.HttpOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@link LlmConfig} into a {@link ChatModel}, filling what the user left out from the
 * environment and the providers' defaults.
 *
 * <p><b>Choosing a provider.</b> An explicit provider wins. Otherwise {@code LEANN_LLM}
 * ({@code provider} or {@code provider:model}) names one; otherwise a model name given alone picks
 * its vendor ({@code gpt-*} and {@code o1...}: OpenAI, {@code claude-*}: Anthropic,
 * {@code gemini-*}: Gemini, anything else: Ollama). Otherwise the first available of: Ollama (as
 * LEANN's {@code ask} defaults to it) when its server answers and has a chat model, OpenAI when
 * {@code OPENAI_API_KEY} or {@code OPENAI_BASE_URL} is set, Anthropic when
 * {@code ANTHROPIC_API_KEY} is, Gemini when {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY} is.
 * When none is, the {@code extractive} provider answers, saying why.
 *
 * <p><b>Settings.</b> Ollama: {@code --host}, else {@code LEANN_OLLAMA_HOST}/{@code OLLAMA_HOST},
 * else {@code localhost:11434}. OpenAI: {@code --api-base}, else
 * {@code LEANN_OPENAI_BASE_URL}/{@code OPENAI_BASE_URL}, else api.openai.com (which needs
 * {@code OPENAI_API_KEY}; compatible local servers need no key). Anthropic:
 * {@code ANTHROPIC_BASE_URL} and {@code ANTHROPIC_API_KEY}. Gemini: {@code --api-base}, else
 * {@code LEANN_GEMINI_BASE_URL}/{@code GEMINI_BASE_URL} (the API root, without {@code /v1beta}),
 * else Google's; {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}. {@code --api-key} overrides any key variable.
 *
 * <p>Thread-safe. {@link #shared} keeps one model per configuration for a server's lifetime;
 * {@link #close()} releases them.
 */
public final class ChatModels implements AutoCloseable {
  /** 10 s to connect, 2 min for the headers and between streamed lines, 3 attempts, backoff 0.5-8 s. */
  public static final HttpOptions HTTP = new HttpOptions(Duration.ofSeconds(10), Duration.ofMinutes(2), 3,
      Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(30));
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  /** How long a server trusts an automatic choice before probing Ollama again. */
  private static final Duration DETECTION_TTL = Duration.ofSeconds(30);
  private static final String OPENAI_DEFAULT_BASE = "https://api.openai.com/v1";
  private static final String ANTHROPIC_DEFAULT_BASE = "https://api.anthropic.com";
  private static final String OLLAMA_DEFAULT_HOST = "http://localhost:11434";

  /** A resolved configuration and, for the extractive provider, why no language model is used. */
  private record Choice(LlmConfig config, String reason) {}

  private record Detection(Choice choice, long atNanos) {}

  private final Map<String, String> env;
  private final HttpOptions http;
  private final Map<Choice, ChatModel> shared = new ConcurrentHashMap<>();
  private volatile Detection detection;

  /**
   * @param env the environment to read keys and hosts from
   * @param http timeouts and retries of every provider
   */
  public ChatModels(Map<String, String> env, HttpOptions http) {
    this.env = Map.copyOf(env);
    this.http = http;
  }

  public static ChatModels fromEnvironment(Map<String, String> env) {
    return new ChatModels(env, HTTP);
  }

  /**
   * A new model for {@code config}; the caller closes it. May probe Ollama (up to a second).
   *
   * @throws LlmException {@link LlmException.Kind#NOT_CONFIGURED} when the chosen provider lacks its
   *     key or has a malformed address
   */
  public ChatModel create(LlmConfig config) {
    return build(choose(config));
  }

  /** Like {@link #create}, but one model per configuration is kept and reused until {@link #close()}. */
  public ChatModel shared(LlmConfig config) {
    return shared.computeIfAbsent(choose(config), this::build);
  }

  @Override
  public void close() {
    shared.values().forEach(ChatModel::close);
    shared.clear();
  }

  private Choice choose(LlmConfig c) {
    if (c.provider() != null) {
      return new Choice(c, "extractive answers were asked for");
    }
    String named = first("LEANN_LLM");
    if (named != null) {
      LlmConfig fromEnv = LlmConfig.of(named.contains(":") ? named.substring(0, named.indexOf(':')) : named,
          named.contains(":") ? named.substring(named.indexOf(':') + 1) : null);
      return new Choice(new LlmConfig(fromEnv.provider(), c.model() != null ? c.model() : fromEnv.model(), c.host(),
          c.apiBase(), c.apiKey()), "LEANN_LLM is extractive");
    }
    if (c.model() != null) {
      return new Choice(with(c, vendorOf(c.model()), c.model()), null);
    }
    if (c.host() != null || c.apiBase() != null || c.apiKey() != null) {
      return detect(c);
    }
    // A server without per-request settings probes Ollama at most every DETECTION_TTL.
    Detection d = detection;
    if (d == null || System.nanoTime() - d.atNanos() > DETECTION_TTL.toNanos()) {
      d = new Detection(detect(c), System.nanoTime());
      detection = d;
    }
    Choice detected = d.choice();
    LlmConfig picked = detected.config();
    return new Choice(new LlmConfig(picked.provider(), picked.model(), c.host(), c.apiBase(), c.apiKey()),
        detected.reason());
  }

  private Choice detect(LlmConfig c) {
    URI ollama = ollamaHost(c);
    String ollamaState;
    try (StreamingHttp probe = new StreamingHttp(LlmProvider.OLLAMA, ollama,
        http.withTimeouts(PROBE_TIMEOUT, PROBE_TIMEOUT))) {
      List<String> models = OllamaChatModel.chatModels(probe.getJson(Urls.resolve(ollama, "/api/tags"), PROBE_TIMEOUT));
      if (!models.isEmpty()) {
        String model = models.contains(LlmProvider.OLLAMA.defaultModel()) ? LlmProvider.OLLAMA.defaultModel()
            : models.getFirst();
        return new Choice(with(c, LlmProvider.OLLAMA, model), null);
      }
      ollamaState = "Ollama at " + ollama + " has no chat model";
    } catch (LlmException e) {
      ollamaState = "Ollama is not reachable at " + ollama;
    }
    if (key(c, LlmProvider.OPENAI) != null || first("LEANN_OPENAI_BASE_URL", "OPENAI_BASE_URL") != null) {
      return new Choice(with(c, LlmProvider.OPENAI, null), null);
    }
    if (key(c, LlmProvider.ANTHROPIC) != null) {
      return new Choice(with(c, LlmProvider.ANTHROPIC, null), null);
    }
    if (key(c, LlmProvider.GEMINI) != null) {
      return new Choice(with(c, LlmProvider.GEMINI, null), null);
    }
    return new Choice(with(c, LlmProvider.EXTRACTIVE, null), "no LLM provider is configured or reachable: "
        + ollamaState + ", and none of OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY or GOOGLE_API_KEY is set");
  }

  private ChatModel build(Choice choice) {
    LlmConfig c = choice.config();
    LlmProvider p = c.provider();
    String model = c.model() != null ? c.model() : p.defaultModel();
    return switch (p) {
      case OLLAMA -> new OllamaChatModel(ollamaHost(c), model, http);
      case OPENAI -> {
        URI base = Urls.base(firstNonNull(c.apiBase(), c.host(),
            first("LEANN_OPENAI_BASE_URL", "OPENAI_BASE_URL"), OPENAI_DEFAULT_BASE), "the OpenAI base URL");
        String key = key(c, p);
        if (key == null && "api.openai.com".equalsIgnoreCase(base.getHost())) {
          throw missingKey(p);
        }
        yield new OpenAiChatModel(base, model, key, http);
      }
      case ANTHROPIC -> {
        String base = firstNonNull(c.apiBase(), c.host(), first("ANTHROPIC_BASE_URL"), ANTHROPIC_DEFAULT_BASE);
        // The SDKs' base URL has no /v1; accept one anyway rather than calling /v1/v1/messages.
        URI root = Urls.base(base.replaceFirst("/v1/*$", ""), "the Anthropic base URL");
        yield new AnthropicChatModel(root, model, required(key(c, p), p), http);
      }
      case GEMINI -> new GeminiChatModel(Urls.base(firstNonNull(c.apiBase(), c.host(),
          first("LEANN_GEMINI_BASE_URL", "GEMINI_BASE_URL"), GeminiEmbedder.DEFAULT_ROOT), "the Gemini base URL"),
          model, required(key(c, p), p), http);
      case EXTRACTIVE -> new ExtractiveChatModel(choice.reason());
    };
  }

  private URI ollamaHost(LlmConfig c) {
    return Urls.ollamaHost(firstNonNull(c.host(), c.apiBase(), first("LEANN_OLLAMA_HOST", "OLLAMA_HOST"),
        OLLAMA_DEFAULT_HOST), "the Ollama host");
  }

  private String key(LlmConfig c, LlmProvider p) {
    if (c.apiKey() != null && !c.apiKey().isBlank()) {
      return c.apiKey().strip();
    }
    return switch (p) {
      case OPENAI -> first("OPENAI_API_KEY");
      case ANTHROPIC -> first("ANTHROPIC_API_KEY");
      case GEMINI -> first("GEMINI_API_KEY", "GOOGLE_API_KEY");
      case OLLAMA, EXTRACTIVE -> null;
    };
  }

  private static String required(String key, LlmProvider p) {
    if (key == null) {
      throw missingKey(p);
    }
    return key;
  }

  private static LlmException missingKey(LlmProvider p) {
    return new LlmException(LlmException.Kind.NOT_CONFIGURED, p.displayName() + " needs an API key: set "
        + p.keyVariables() + " or pass --api-key");
  }

  /** The vendor a model name belongs to, for {@code --model} given without {@code --llm}. */
  static LlmProvider vendorOf(String model) {
    String m = model.toLowerCase(Locale.ROOT);
    if (m.startsWith("gpt-") || m.matches("o\\d.*") || m.startsWith("chatgpt")) {
      return LlmProvider.OPENAI;
    }
    if (m.startsWith("claude")) {
      return LlmProvider.ANTHROPIC;
    }
    return m.startsWith("gemini") ? LlmProvider.GEMINI : LlmProvider.OLLAMA;
  }

  private static LlmConfig with(LlmConfig c, LlmProvider provider, String model) {
    return new LlmConfig(provider, c.model() != null ? c.model() : model, c.host(), c.apiBase(), c.apiKey());
  }

  private String first(String... names) {
    for (String name : names) {
      String v = env.get(name);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
