package io.leann.coordinator.cli;

import io.leann.coordinator.build.BuildOutcome;
import io.leann.coordinator.build.BuildRequest;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.build.Progress;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.ingest.FileTypeFilter;
import io.leann.coordinator.ingest.LoadReport;
import io.leann.coordinator.ingest.LoaderOptions;
import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.embed.EmbeddingException;
import io.leann.protocol.Metric;
import io.leann.protocol.index.PromptTemplates;
import io.leann.shard.text.TextAnalyzer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code leann build <name> --docs <paths...>}: LEANN's build options, same defaults. */
@Command(name = "build", description = "Build or update an index over documents.")
final class BuildCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Option(names = "--docs", arity = "1..*", required = true, description = "Files and directories to index.")
  List<Path> docs;

  @Option(names = "--embedding-mode", defaultValue = "sentence-transformers",
      description = "sentence-transformers (local ONNX, default), openai, ollama, gemini.")
  String embeddingMode;

  @Option(names = "--embedding-model", defaultValue = "sentence-transformers/all-MiniLM-L6-v2",
      description = "Model name (default ${DEFAULT-VALUE}).")
  String embeddingModel;

  @Mixin EmbeddingFlags endpoint;

  @Option(names = "--embedding-prompt-template", description = "Prefix for every passage before it is embedded,"
      + " e.g. 'passage: ' for e5/bge-style models; also for queries unless --query-prompt-template is given."
      + " Recorded in the index.")
  String passageTemplate;

  @Option(names = "--query-prompt-template", description = "Prefix for every query before it is embedded, e.g."
      + " 'query: '. Recorded in the index; search uses it unless told otherwise.")
  String queryTemplate;

  @Option(names = "--graph-degree", defaultValue = "32", description = "HNSW M (default ${DEFAULT-VALUE}).")
  int graphDegree;

  @Option(names = "--complexity", defaultValue = "64", description = "Default search ef recorded in the index (default ${DEFAULT-VALUE}).")
  int complexity;

  @Option(names = "--ef-construction", defaultValue = "200", description = "HNSW build beam (default ${DEFAULT-VALUE}).")
  int efConstruction;

  @Option(names = "--num-threads", description = "Graph build threads (default: all cores).")
  Integer threads;

  @Option(names = "--compact", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Store the graph as CSR without padding (default on).")
  boolean compact;

  @Option(names = "--recompute", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Prune the graph and drop embeddings; search recomputes them (default on).")
  boolean recompute;

  @Option(names = "--pq-bytes", description = "PQ code bytes per passage for the two-level search of a "
      + "recompute index; 0 turns PQ off (default: sized to the corpus, codes and codebooks within 5%% of "
      + "the float embeddings beside the graph; small indexes get up to 256 KiB).")
  Integer pqBytes;

  @Option(names = "--keep-embeddings", description = "Keep a float32 copy of every embedding in the index, so "
      + "that later builds embed only changed files (default: no copy; a changed file re-embeds every passage).")
  boolean keepEmbeddings;

  @Option(names = "--hub-budget", defaultValue = "0", description = "Percent of the float embeddings' bytes "
      + "kept as exact embeddings of the best-connected nodes, e.g. 1 (default ${DEFAULT-VALUE}).")
  double hubBudgetPercent;

  @Option(names = "--text-analyzer", defaultValue = "standard", description = "How the keyword (BM25) index cuts"
      + " text into words: standard (English: stemming, stop words), cjk (bigrams, for Chinese, Japanese,"
      + " Korean) or exact (lower-cased letters and digits only). Default ${DEFAULT-VALUE}.")
  String textAnalyzerName;

  @Option(names = {"-f", "--force"}, description = "Rebuild from scratch.")
  boolean force;

  @Option(names = "--file-types", description = "Only these files in directories: comma-separated extensions"
      + " (.md), exact file names (copyright) and name globs (README*), e.g. .md,.java,copyright."
      + " Default: every known type and any other file whose content is text.")
  String fileTypes;

  @Option(names = "--include-hidden", description = "Index hidden files and directories.")
  boolean includeHidden;

  @Option(names = "--no-gitignore", description = "Do not honour .gitignore files.")
  boolean noGitignore;

  @Option(names = "--doc-chunk-size", defaultValue = "256") int docChunkSize;
  @Option(names = "--doc-chunk-overlap", defaultValue = "128") int docChunkOverlap;
  @Option(names = "--code-chunk-size", defaultValue = "512") int codeChunkSize;
  @Option(names = "--code-chunk-overlap", defaultValue = "50") int codeChunkOverlap;

  @Option(names = "--use-ast-chunking", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Split code at class and method boundaries (default on).")
  boolean useAst;

  @Option(names = "--ast-chunk-size", defaultValue = "768") int astChunkSize;
  @Option(names = "--ast-chunk-overlap", defaultValue = "96") int astChunkOverlap;

  @Option(names = "--ast-fallback-traditional", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Cut a code file AST chunking fails on into line windows, with a warning (default on); "
          + "--no-ast-fallback-traditional fails the build instead.")
  boolean astFallback;

  @Option(names = "--shards", defaultValue = "1", description = "Split passages into N graphs (default ${DEFAULT-VALUE}).")
  int shards;

  @Option(names = "--distance-metric", defaultValue = "cosine", description = "cosine, mips or l2 (default ${DEFAULT-VALUE}).")
  String metric;

  @Option(names = "--embed-batch", defaultValue = "64", description = "Texts per embedding call (default ${DEFAULT-VALUE}).")
  int embedBatch;

  /** Unreadable files listed by name after a build; more are counted. */
  private static final int FAILURES_LISTED = 20;

  @Override
  public Integer call() throws Exception {
    // A path named on the command line that is not there is a typo, not a file to skip.
    List<String> missing = docs.stream().filter(p -> !Files.exists(p)).map(Path::toString).toList();
    if (!missing.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--docs: no such file or directory: " + String.join(", ", missing));
    }
    LoaderOptions loader = LoaderOptions.defaults()
        .withIncludeHidden(includeHidden)
        .withRespectGitignore(!noGitignore);
    if (fileTypes != null) {
      loader = loader.withFileTypes(FileTypeFilter.parse(fileTypes));
    }
    ChunkingOptions chunking = ChunkingOptions.defaults()
        .withDoc(docChunkSize, docChunkOverlap)
        .withCode(codeChunkSize, codeChunkOverlap)
        .withAst(useAst, astChunkSize, astChunkOverlap)
        .withAstFallback(astFallback);
    TextAnalyzer textAnalyzer;
    try {
      textAnalyzer = TextAnalyzer.parse(textAnalyzerName);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--text-analyzer: " + e.getMessage());
    }
    List<Path> absolute = docs.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    BuildRequest request = new BuildRequest(cli.registry().layout(name), absolute, loader, chunking,
        embeddingMode, Metric.parse(metric), graphDegree, efConstruction, complexity,
        threads != null ? threads : Runtime.getRuntime().availableProcessors(), compact, recompute,
        shards, force, embedBatch, recordedArgs(absolute), pqBytes, hubBudgetPercent / 100, textAnalyzer,
        keepEmbeddings);
    Progress progress = Progress.printing(spec.commandLine().getErr(), System.console() != null);
    Map<String, String> env;
    try {
      env = endpoint.env(embeddingMode, cli.env());
    } catch (EmbeddingException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    // What search needs to embed as this build does; never the key.
    Map<String, String> options = new LinkedHashMap<>(EmbedderFactory.endpointOptions(embeddingMode, env));
    options.putAll(PromptTemplates.fromFlags(passageTemplate, queryTemplate).toOptions());
    try (Embedder embedder = EmbedderFactory.create(embeddingMode, embeddingModel, env)) {
      BuildOutcome outcome = new IndexBuilder(embedder, options, progress).build(request);
      var out = spec.commandLine().getOut();
      if (outcome.unchanged()) {
        out.printf("Index '%s' is up to date (%d passages from %d files).%n", name, outcome.passages(), outcome.files());
      } else {
        out.printf("Built index '%s': %d passages from %d files (%d embedded, %d reused) in %s%n", name,
            outcome.passages(), outcome.files(), outcome.embedded(), outcome.reused(),
            request.layout().dir());
      }
      reportFailures(outcome.load());
    }
    return 0;
  }

  private void reportFailures(LoadReport load) {
    if (load.failed() == 0) {
      return;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.printf("%d %s could not be read and %s not in the index:%n", load.failed(),
        load.failed() == 1 ? "file" : "files", load.failed() == 1 ? "is" : "are");
    load.failures().stream().limit(FAILURES_LISTED)
        .forEach(f -> err.printf("  %s: %s%n", f.path(), f.reason()));
    if (load.failed() > FAILURES_LISTED) {
      err.printf("  ... and %d more%n", load.failed() - FAILURES_LISTED);
    }
    err.flush();
  }

  /** The options of this build, with absolute paths and without --force, for {@code leann watch}. */
  private List<String> recordedArgs(List<Path> absolute) {
    List<String> args = new ArrayList<>(List.of(name, "--docs"));
    absolute.forEach(p -> args.add(p.toString()));
    args.addAll(List.of("--embedding-mode", embeddingMode, "--embedding-model", embeddingModel,
        "--graph-degree", String.valueOf(graphDegree), "--complexity", String.valueOf(complexity),
        "--ef-construction", String.valueOf(efConstruction),
        compact ? "--compact" : "--no-compact", recompute ? "--recompute" : "--no-recompute",
        "--doc-chunk-size", String.valueOf(docChunkSize), "--doc-chunk-overlap", String.valueOf(docChunkOverlap),
        "--code-chunk-size", String.valueOf(codeChunkSize), "--code-chunk-overlap", String.valueOf(codeChunkOverlap),
        useAst ? "--use-ast-chunking" : "--no-use-ast-chunking",
        "--ast-chunk-size", String.valueOf(astChunkSize), "--ast-chunk-overlap", String.valueOf(astChunkOverlap),
        astFallback ? "--ast-fallback-traditional" : "--no-ast-fallback-traditional",
        "--shards", String.valueOf(shards), "--distance-metric", metric,
        "--embed-batch", String.valueOf(embedBatch)));
    if (threads != null) {
      args.addAll(List.of("--num-threads", String.valueOf(threads)));
    }
    if (pqBytes != null) {
      args.addAll(List.of("--pq-bytes", String.valueOf(pqBytes)));
    }
    args.addAll(List.of("--hub-budget", String.valueOf(hubBudgetPercent)));
    args.addAll(List.of("--text-analyzer", textAnalyzerName));
    if (keepEmbeddings) {
      args.add("--keep-embeddings");
    }
    if (fileTypes != null) {
      args.addAll(List.of("--file-types", fileTypes));
    }
    if (includeHidden) {
      args.add("--include-hidden");
    }
    if (noGitignore) {
      args.add("--no-gitignore");
    }
    // The server and templates, so a rebuild embeds alike; the key stays out (watch reads it from the environment).
    addIfSet(args, "--embedding-host", endpoint.host);
    addIfSet(args, "--embedding-api-base", endpoint.apiBase);
    addIfSet(args, "--embedding-prompt-template", passageTemplate);
    addIfSet(args, "--query-prompt-template", queryTemplate);
    return args;
  }

  private static void addIfSet(List<String> args, String flag, String value) {
    if (value != null) {
      args.addAll(List.of(flag, value));
    }
  }
}
