package io.leann.coordinator.cli;

import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.LocalIndex;
import io.leann.embed.EmbedderFactory;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a remote embedding provider is and its key, for every command that embeds: the Python
 * LEANN's {@code --embedding-host}, {@code --embedding-api-base} and {@code --embedding-api-key}.
 * A flag wins over the environment variable it stands for, which wins over what the index
 * recorded at build ({@link EmbedderFactory} has the whole order). The key is never recorded nor
 * printed.
 */
final class EmbeddingFlags {
  @Option(names = "--embedding-host", description = "Ollama server for embeddings, e.g. http://gpu:11434 "
      + "(default: LEANN_OLLAMA_HOST/OLLAMA_HOST, else the host the index was built with).")
  String host;

  @Option(names = "--embedding-api-base", description = "Base URL of an OpenAI-compatible embedding API "
      + "(LM Studio, vLLM, ...), e.g. http://localhost:1234/v1 (default: OPENAI_BASE_URL, else the one the "
      + "index was built with).")
  String apiBase;

  @Option(names = "--embedding-api-key", description = "Key for the embedding API (default: OPENAI_API_KEY, "
      + "or GEMINI_API_KEY). Never stored; the environment variable keeps it out of the process list.")
  String apiKey;

  /** {@code env} with these flags laid over it, for embedding in {@code mode}. */
  Map<String, String> env(String mode, Map<String, String> env) {
    return EmbedderFactory.withFlags(mode, env, host, apiBase, apiKey);
  }

  /** Opens an index for search with these flags applied to its recorded embedding mode. */
  IndexSearcher openSearcher(IndexLayout layout, Map<String, String> env, String queryTemplate) throws IOException {
    String mode = LocalIndex.readMeta(layout).embeddingMode();
    return IndexSearcher.open(layout, env(mode, env), queryTemplate);
  }
}
