package io.leann.coordinator.cli;

import io.leann.coordinator.importer.EmbeddingMapping;
import io.leann.coordinator.importer.LeannImporter;
import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.python.PythonLeannIndex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code leann import <path/to/documents.leann> [--name N] [--convert]}: serves an index built by
 * the Python LEANN without re-embedding it, registered as is or converted to our files
 * ({@link LeannImporter}).
 */
@Command(name = "import", description = "Import an index built by the Python LEANN (no re-embedding).")
final class ImportCommand implements Callable<Integer> {
  @ParentCommand LeannCli cli;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<index>",
      description = "The Python index: its .leann path (e.g. .leann/indexes/docs/documents.leann), its meta file or its directory.")
  Path source;

  @Option(names = "--name", description = "Name of the imported index (default: the Python index's name).")
  String name;

  @Option(names = "--convert", description = "Write our own index files (passages copied byte for byte, graph"
      + " converted) instead of serving the Python files in place.")
  boolean convert;

  @Option(names = "--embedding-mode", description = "Provider for the index's model when it is not the local"
      + " all-MiniLM-L6-v2: openai, ollama or gemini.")
  String embeddingMode;

  @Option(names = "--embedding-model", description = "The provider's name for the index's model.")
  String embeddingModel;

  @Option(names = "--max-seq-length", description = "Tokens per text the local model saw when the index was"
      + " embedded: 256 with sentence-transformers (the default here), 128 with the tokenizer of the ONNX"
      + " artifact. Recomputed embeddings only match the stored ones with the same value.")
  Integer maxSeqLength;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PythonLeannIndex index = PythonLeannIndex.locate(source, Path.of("").toAbsolutePath());
    String indexName = name != null ? name : index.name();
    IndexLayout layout = cli.registry().layout(indexName);
    EmbeddingMapping embedding = EmbeddingMapping.of(index.meta().embeddingMode(), index.meta().embeddingModel(),
        embeddingMode, embeddingModel).withMaxSeqLength(maxSeqLength);
    LeannImporter.Outcome o = LeannImporter.run(index, layout, convert, embedding, cli.env());
    out.printf("Imported '%s' (%s) from %s: %d passages, %d-d %s, %s, %s; embedding %s %s.%n", o.name(),
        o.converted() ? "converted to our format" : "registered in place, read-only", index.indexPath(),
        o.passages(), o.dimensions(), o.metric().leannName(), o.compact() ? "compact graph" : "padded graph",
        o.vectorsStored() ? "vectors stored" : "pruned (recompute)", o.embedding().mode(), o.embedding().model());
    out.println("Search it: leann search " + o.name() + " \"<query>\"");
    return 0;
  }
}
