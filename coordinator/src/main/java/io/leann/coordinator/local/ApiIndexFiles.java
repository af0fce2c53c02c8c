package io.leann.coordinator.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.build.IndexBuilder;
import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.passages.Passage;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.text.TextAnalyzer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the standalone API keeps in an index directory, next to the index files and out of their
 * way, under {@code api/}:
 *
 * <pre>
 * api/settings.json            the settings of PUT /indexes/{name}, defaults resolved
 * api/inbox/&lt;job&gt;-&lt;n&gt;.txt       one text file per document ever added; the build input
 * api/metadata/&lt;job&gt;.jsonl      {"file": "&lt;job&gt;-&lt;n&gt;.txt", "metadata": {...}},
 *                              one line per document that has metadata
 * </pre>
 *
 * <p>An index that has {@code api/settings.json} was created through the API and is built from
 * its inbox; one without was built by {@code leann build} from files and is only searched. Every
 * file appears under its final name by an atomic rename, metadata before text, so a build never
 * reads half a document and never indexes a document whose metadata is not on disk yet.
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

  /** One line of a metadata file. */
  private record MetadataLine(@JsonProperty("file") String file,
      @JsonProperty("metadata") Map<String, Object> metadata) {}

  static Path inbox(IndexLayout layout) {
    return layout.dir().resolve("api").resolve("inbox");
  }

  private static Path settingsFile(IndexLayout layout) {
    return layout.dir().resolve("api").resolve("settings.json");
  }

  private static Path metadataDir(IndexLayout layout) {
    return layout.dir().resolve("api").resolve("metadata");
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
    Files.createDirectories(inbox(layout));
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(settings));
  }

  /**
   * Adds a batch of documents to the inbox as {@code <batch>-<n>.txt}.
   *
   * @param batch a name unique to this batch that sorts after earlier batches, so passages keep
   *     the order in which documents arrived
   */
  static void addDocuments(IndexLayout layout, String batch, List<DocumentIn> docs) throws IOException {
    Path inbox = inbox(layout);
    Files.createDirectories(inbox);
    Path metadata = metadataDir(layout).resolve(batch + ".jsonl");
    if (docs.stream().anyMatch(d -> d.metadata() != null && !d.metadata().isEmpty())) {
      Files.createDirectories(metadata.getParent());
      AtomicFiles.write(metadata, temp -> {
        try (BufferedWriter w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
          for (int i = 0; i < docs.size(); i++) {
            Map<String, Object> m = docs.get(i).metadata();
            if (m != null && !m.isEmpty()) {
              w.write(JSON.writeValueAsString(new MetadataLine(fileName(batch, i), m)));
              w.write('\n');
            }
          }
        }
      });
    }
    for (int i = 0; i < docs.size(); i++) {
      Path file = inbox.resolve(fileName(batch, i));
      // The temp name has no .txt extension, so a build running now skips it.
      Path temp = AtomicFiles.tempFor(file);
      try {
        Files.writeString(temp, docs.get(i).text(), StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        AtomicFiles.discard(temp);
        throw e;
      }
    }
    AtomicFiles.syncDirectory(inbox);
  }

  /**
   * The documents' own metadata for the build of {@code layout}'s inbox, attached to their passages.
   * Read once per build, and once more for a document the first read did not know: its metadata
   * reached the disk before its text did, so a document that arrived during the build is covered too.
   */
  static IndexBuilder.OwnMetadata ownMetadata(IndexLayout layout) throws IOException {
    Map<String, Map<String, Object>> known = new HashMap<>(readMetadata(layout));
    boolean[] reread = {false};
    return doc -> {
      String file = doc.path().getFileName().toString();
      if (!known.containsKey(file) && !reread[0]) {
        reread[0] = true;
        known.putAll(readMetadata(layout));
      }
      return known.getOrDefault(file, Map.of());
    };
  }

  /** User metadata of the documents of an API index, by inbox file name; empty for other indexes. */
  static Map<String, Map<String, Object>> readMetadata(IndexLayout layout) throws IOException {
    Path dir = metadataDir(layout);
    Map<String, Map<String, Object>> byFile = new HashMap<>();
    if (!Files.isDirectory(dir)) {
      return byFile;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList()) {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isBlank()) {
              MetadataLine m = JSON.readValue(line, MetadataLine.class);
              byFile.put(m.file(), m.metadata());
            }
          }
        }
      }
    }
    return byFile;
  }

  /**
   * Deletes the documents whose own metadata passes {@code filter}: their text files, then their
   * metadata lines (the reverse of {@link #addDocuments}, so a build never reads a document whose
   * metadata is gone). The next build drops their passages.
   *
   * @return how many documents were deleted
   * @throws IllegalStateException if the filter matches every document, before anything is deleted
   */
  static int deleteDocuments(IndexLayout layout, MetadataFilter filter) throws IOException {
    Path inbox = inbox(layout);
    List<String> documents;
    try (Stream<Path> files = Files.list(inbox)) {
      documents = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
    }
    Map<String, Map<String, Object>> metadata = readMetadata(layout);
    Set<String> doomed = new HashSet<>();
    for (String name : documents) {
      if (filter.test(new Passage(name, "", metadata.getOrDefault(name, Map.of())))) {
        doomed.add(name);
      }
    }
    if (!documents.isEmpty() && doomed.size() == documents.size()) {
      throw new IllegalStateException("the filter matches all " + documents.size() + " documents of index '"
          + layout.name() + "'; delete the index instead (DELETE /indexes/" + layout.name() + ")");
    }
    for (String name : doomed) {
      Files.delete(inbox.resolve(name));
    }
    AtomicFiles.syncDirectory(inbox);
    if (!doomed.isEmpty()) {
      dropMetadata(layout, doomed);
    }
    return doomed.size();
  }

  /** Rewrites the metadata files that mention {@code files}, without those lines. */
  private static void dropMetadata(IndexLayout layout, Set<String> files) throws IOException {
    Path dir = metadataDir(layout);
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> batches;
    try (Stream<Path> list = Files.list(dir)) {
      batches = list.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList();
    }
    for (Path batch : batches) {
      List<String> lines = Files.readAllLines(batch, StandardCharsets.UTF_8);
      List<String> kept = new ArrayList<>(lines.size());
      for (String line : lines) {
        if (!line.isBlank() && !files.contains(JSON.readValue(line, MetadataLine.class).file())) {
          kept.add(line);
        }
      }
      if (kept.isEmpty()) {
        Files.delete(batch);
      } else if (kept.size() < lines.size()) {
        AtomicFiles.write(batch, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static String fileName(String batch, int i) {
    return String.format(Locale.ROOT, "%s-%06d.txt", batch, i);
  }
}
