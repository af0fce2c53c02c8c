package io.leann.coordinator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.LocalIndex;
import io.leann.coordinator.search.SearchHit;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.text.HybridFusion;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code leann search <name> <query>}: the top-k passages, as text or JSON. */
@Command(name = "search", description = "Search an index.")
final class SearchCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", description = "Index name.")
  String name;

  @Parameters(index = "1", description = "Query text.")
  String query;

  @Option(names = "--top-k", defaultValue = "5", description = "Results to return (default ${DEFAULT-VALUE}).")
  int topK;

  @Mixin SearchFlags search = new SearchFlags(64);

  @Mixin EmbeddingFlags embedding;

  @Option(names = "--show-metadata", description = "Print each result's metadata.")
  boolean showMetadata;

  @Option(names = "--json", description = "Print results as JSON.")
  boolean json;

  @Option(names = "--filter", description = "Metadata filter as JSON, LEANN's shape: '{\"language\": {\"==\": \"java\"}}'.")
  String filter;

  @Option(names = "--hybrid", description = "Fuse dense and BM25 keyword results.")
  boolean hybrid;

  @Option(names = "--vector-weight",
      description = "Weight of the dense scores in weighted hybrid search, 0..1 (default 0.6).")
  Double vectorWeight;

  @Option(names = "--fusion", description = "How hybrid search fuses dense and BM25 results: weighted (LEANN's "
      + "min-max weighting by --vector-weight, the default) or rrf (reciprocal rank fusion). Implies --hybrid.")
  String fusion;

  @Option(names = "--recompute-budget", defaultValue = "100", description = "Two-level search (indexes with "
      + "PQ codes): most embeddings recomputed per query and shard, 0 for no limit (default ${DEFAULT-VALUE}).")
  int recomputeBudget;

  @Option(names = "--stop-margin", defaultValue = "1.5", description = "Two-level search: stop recomputing "
      + "once no candidate left can beat the k-th exact distance by more than this many times PQ's largest "
      + "error seen so far; 0 recomputes the whole budget (default ${DEFAULT-VALUE}).")
  double stopMargin;

  @Option(names = "--prune-ratio", defaultValue = "0", description = "Two-level search: share of the PQ-ranked "
      + "candidates never recomputed, in [0, 1) (default ${DEFAULT-VALUE}).")
  double pruneRatio;

  @Option(names = "--batch-size", defaultValue = "0", description = "Two-level search: nodes per recompute "
      + "request, 0 for one request per query (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--stats", description = "Print the search's cost (nodes visited, PQ distances, recomputes, "
      + "cache and hub hits, time in graph and recompute) to stderr.")
  boolean stats;

  @Override
  public Integer call() throws Exception {
    if (topK < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top-k must be at least 1");
    }
    HybridFusion.Spec fused = fusion();
    PrintWriter out = spec.commandLine().getOut();
    try (IndexSearcher searcher = embedding.openSearcher(cli.registry().existing(name), cli.env(), search.queryTemplate)) {
      MetadataFilter parsed = parseFilter();
      TwoLevelOptions twoLevel;
      try {
        twoLevel = new TwoLevelOptions(recomputeBudget, pruneRatio, batchSize, TwoLevelOptions.DEFAULT_BEAM, stopMargin);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      LocalIndex.DenseHits found = fused != null
          ? searcher.hybrid(query, topK, search.complexity, search.recompute, parsed, fused, twoLevel)
          : searcher.search(query, topK, search.complexity, search.recompute, parsed, twoLevel);
      List<SearchHit> hits = found.hits();
      if (stats) {
        spec.commandLine().getErr().println("stats: " + found.stats().toMap());
      }
      if (json) {
        printJson(out, hits);
      } else {
        printText(out, hits);
      }
    }
    return 0;
  }

  /** The fusion of a hybrid search (--hybrid or --fusion), or null for a dense-only one. */
  private HybridFusion.Spec fusion() {
    if (!hybrid && fusion == null) {
      return null;
    }
    try {
      return HybridFusion.Spec.of(fusion != null ? fusion : "weighted", vectorWeight);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          (fusion != null ? "--fusion: " : "--vector-weight: ") + e.getMessage());
    }
  }

  private MetadataFilter parseFilter() {
    if (filter == null || filter.isBlank()) {
      return null;
    }
    try {
      return MetadataFilter.parse(new ObjectMapper().readTree(filter));
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--filter is not valid JSON: " + e.getOriginalMessage());
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--filter: " + e.getMessage());
    }
  }

  private void printText(PrintWriter out, List<SearchHit> hits) {
    if (hits.isEmpty()) {
      out.println("No results.");
      return;
    }
    int rank = 1;
    for (SearchHit h : hits) {
      out.printf("%d. [%s] score %.4f%n", rank++, h.id(), h.score());
      out.println("   " + h.text().strip().replace("\n", "\n   "));
      if (showMetadata && !h.metadata().isEmpty()) {
        out.println("   metadata: " + h.metadata());
      }
    }
  }

  private void printJson(PrintWriter out, List<SearchHit> hits) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode results = mapper.createArrayNode();
    for (SearchHit h : hits) {
      ObjectNode o = results.addObject();
      o.put("id", h.id());
      o.put("score", h.score());
      o.put("text", h.text());
      o.set("metadata", mapper.valueToTree(h.metadata()));
    }
    out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(results));
  }
}
