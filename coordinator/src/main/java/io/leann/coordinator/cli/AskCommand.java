package io.leann.coordinator.cli;

import io.leann.coordinator.rag.ChatHistory;
import io.leann.coordinator.rag.ChatModel;
import io.leann.coordinator.rag.ChatModels;
import io.leann.coordinator.rag.LlmConfig;
import io.leann.coordinator.rag.LlmException;
import io.leann.coordinator.rag.LlmProvider;
import io.leann.coordinator.rag.RagChat;
import io.leann.coordinator.rag.Retriever;
import io.leann.coordinator.rag.TerminalChat;
import io.leann.coordinator.rag.ThinkingBudget;
import io.leann.coordinator.search.IndexSearcher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann ask <name> [question]}: answers from the index with a language model, streaming the
 * answer, then listing its sources. Without a question, or with {@code -i}, it keeps a
 * conversation going on standard input.
 */
@Command(name = "ask", description = "Answer questions from an index with a language model (RAG).")
final class AskCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Parameters(index = "1..*", arity = "0..*", description = "The question (words are joined); none starts a conversation.")
  List<String> question;

  @Mixin LlmFlags llm;

  @Option(names = {"-i", "--interactive"}, description = "Keep a conversation going: ask, read the answer, ask again.")
  boolean interactive;

  @Option(names = "--top-k", defaultValue = "20", description = "Passages given to the model (default ${DEFAULT-VALUE}).")
  int topK;

  @Mixin SearchFlags search = new SearchFlags(32);

  @Mixin EmbeddingFlags embedding;

  @Option(names = "--history-tokens", defaultValue = "" + ChatHistory.DEFAULT_MAX_TOKENS,
      description = "Earlier turns sent with each question in a conversation, in tokens (default ${DEFAULT-VALUE}).")
  int historyTokens;

  @Override
  public Integer call() throws Exception {
    if (topK < 1 || search.complexity < 1 || historyTokens < 0) {
      throw new ParameterException(spec.commandLine(),
          "--top-k and --complexity must be at least 1, --history-tokens not negative");
    }
    RagChat.Options options = RagChat.Options.defaults().withTopK(topK).withComplexity(search.complexity)
        .withRecompute(search.recompute).withThinking(llm.thinking(spec)).withMaxHistoryTokens(historyTokens);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (LlmFlags.Opened opened = llm.open(cli, spec, name, embedding, search)) {
      RagChat chat = new RagChat(Retriever.of(opened.searcher()), opened.model(), options);
      TerminalChat terminal = new TerminalChat(chat, out, err, historyTokens);
      String text = question == null ? null : String.join(" ", question).strip();
      boolean asked = text != null && !text.isEmpty();
      if (asked) {
        terminal.ask(text);
      }
      if (interactive || !asked) {
        terminal.converse(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      }
    }
    return 0;
  }

  /** The language-model flags shared by {@code ask} and {@code react}. */
  static final class LlmFlags {
    @Option(names = "--llm", description = "Provider: ollama, openai, anthropic, gemini or extractive (quotes passages,"
        + " no model). Default: LEANN_LLM, else Ollama if it runs, else the first provider with an API key set,"
        + " else extractive.")
    String provider;

    @Option(names = "--model", description = "Model name (defaults: ollama qwen3:8b, openai gpt-4o, anthropic"
        + " claude-sonnet-4-5, gemini gemini-2.5-flash).")
    String model;

    @Option(names = "--host", description = "Ollama host (default: OLLAMA_HOST, else localhost:11434).")
    String host;

    @Option(names = "--api-base", description = "API root of an OpenAI-compatible, Anthropic or Gemini server"
        + " (default: OPENAI_BASE_URL / ANTHROPIC_BASE_URL / GEMINI_BASE_URL, else the vendor's).")
    String apiBase;

    @Option(names = "--api-key", description = "API key (default: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY);"
        + " prefer the variables, flags show up in process lists.")
    String apiKey;

    @Option(names = "--thinking-budget", description = "Reasoning effort of thinking models: low, medium or high.")
    String thinkingBudget;

    ThinkingBudget thinking(CommandSpec spec) {
      try {
        return ThinkingBudget.parse(thinkingBudget);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--thinking-budget must be low, medium or high");
      }
    }

    /** The model and the index of one command; closing it releases both. */
    record Opened(ChatModel model, IndexSearcher searcher) implements AutoCloseable {
      @Override
      public void close() {
        try (model) {
          searcher.close();
        }
      }
    }

    /**
     * Opens index {@code name} while the model is set up, since finding an Ollama server and
     * loading the index's embedding model both take a moment; says on stderr which model answers.
     */
    Opened open(LeannCli cli, CommandSpec spec, String name, EmbeddingFlags embedding, SearchFlags search)
        throws Exception {
      LlmConfig config;
      try {
        config = new LlmConfig(provider == null ? null : LlmProvider.parse(provider), model, host, apiBase, apiKey);
      } catch (LlmException e) {
        throw new ParameterException(spec.commandLine(), "--llm: " + e.getMessage());
      }
      CompletableFuture<ChatModel> chosen =
          CompletableFuture.supplyAsync(() -> ChatModels.fromEnvironment(cli.env()).create(config));
      IndexSearcher searcher;
      try {
        searcher = embedding.openSearcher(cli.registry().existing(name), cli.env(), search.queryTemplate);
      } catch (Exception e) {
        chosen.thenAccept(ChatModel::close);
        throw e;
      }
      ChatModel opened;
      try {
        opened = chosen.join();
      } catch (CompletionException e) {
        searcher.close();
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println("leann: answering with " + opened.name());
      err.flush();
      return new Opened(opened, searcher);
    }
  }
}
