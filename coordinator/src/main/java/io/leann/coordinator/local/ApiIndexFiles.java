package io.leann.coordinator.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.index.AtomicFiles;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the standalone API keeps in an index directory, next to the index files and out of their
 * way: {@code api/settings.json}, the settings of {@code PUT /indexes/{name}} with defaults
 * resolved, written atomically. An index that has it was created through the API and takes
 * documents (through its {@link io.leann.coordinator.build.IngestLog}); one without was built by
 * {@code leann build} from files and is only searched.
 */
final class ApiIndexFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiIndexFiles() {}

  /**
   * The settings an API index is built with.
   *
   * @param dimensions of the model's embeddings, known once the model was loaded at creation
   * @param textAnalyzer the keyword index's analyzer; null in settings written before it was
   *     chosen, whose indexes keep {@link TextAnalyzer#LEGACY}
   */
  record Settings(
      @JsonProperty("embedding_mode") String embeddingMode,
      @JsonProperty("model") String model,
      @JsonProperty("metric") String metric,
      @JsonProperty("shards") int shards,
      @JsonProperty("compact") boolean compact,
      @JsonProperty("recompute") boolean recompute,
      @JsonProperty("graph_degree") int graphDegree,
      @JsonProperty("dimensions") int dimensions,
      @JsonProperty("text_analyzer") String textAnalyzer) {

    TextAnalyzer analyzer() {
      return textAnalyzer == null ? TextAnalyzer.LEGACY : TextAnalyzer.parse(textAnalyzer);
    }
  }

  private static Path settingsFile(IndexLayout layout) {
    return layout.dir().resolve("api").resolve("settings.json");
  }

  /** Whether the index was created through the API. */
  static boolean isApiIndex(IndexLayout layout) {
    return Files.isRegularFile(settingsFile(layout));
  }

  /** The settings of an API index, or null for an index built from files. */
  static Settings readSettings(IndexLayout layout) throws IOException {
    Path file = settingsFile(layout);
    return Files.isRegularFile(file) ? JSON.readValue(file.toFile(), Settings.class) : null;
  }

  static void writeSettings(IndexLayout layout, Settings settings) throws IOException {
    Path file = settingsFile(layout);
    Files.createDirectories(file.getParent());
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings));
  }
}
