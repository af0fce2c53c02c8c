package io.leann.coordinator.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.api.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade of the Python package on real files: build at a path, search with filters on the
 * documents' own metadata, and rebuilds that replace an index or are refused without harm. Chat and
 * agent are covered from Python ({@code clients/python/tests/test_dropin.py}).
 */
class EmbeddedLeannTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DOCUMENTS = """
      [{"text": "The cat sat on the warm windowsill all afternoon.", "metadata": {"animal": "cat", "legs": 4}},
       {"text": "A dog fetched the ball from the river.", "metadata": {"animal": "dog", "legs": 4}},
       {"text": "The sparrow built a nest under the roof.", "metadata": {"animal": "bird", "legs": 2}},
       {"text": "Stock markets fell sharply on Monday.", "metadata": {"topic": "finance"}}]""";

  @TempDir static Path dir;
  static Path index;

  @BeforeAll
  static void build() throws Exception {
    index = dir.resolve("pets.leann");
    JsonNode info = JSON.readTree(EmbeddedLeann.build(index.toString(), DOCUMENTS, "{\"graph_degree\": 8}"));
    assertEquals(4, info.get("passages").asInt());
    assertEquals(384, info.get("dimensions").asInt());
  }

  @Test
  void searchReturnsTheDocumentsOwnMetadataWithoutTheInboxFile() throws Exception {
    JsonNode hits = search("a cat resting in the sun", "{\"top_k\": 2}");
    assertEquals(2, hits.size());
    JsonNode best = hits.get(0);
    assertEquals("The cat sat on the warm windowsill all afternoon.", best.get("text").asText());
    assertEquals("cat", best.path("metadata").path("animal").asText());
    assertFalse(best.path("metadata").has("file_path"), best.toString());
    assertFalse(best.path("metadata").has("file_name"), best.toString());
  }

  @Test
  void filtersOnOwnMetadataLookBeyondTopK() throws Exception {
    // The bird is not among the best hit for this query; the filter still finds it.
    JsonNode hits = search("a cat resting in the sun", "{\"top_k\": 1, \"metadata_filters\": {\"legs\": {\"<\": 4}}}");
    assertEquals(1, hits.size());
    assertEquals("bird", hits.get(0).path("metadata").path("animal").asText());
    assertEquals(0, search("cat", "{\"metadata_filters\": {\"animal\": {\"==\": \"fish\"}}}").size());
    ApiException bad = assertThrows(ApiException.class,
        () -> search("cat", "{\"metadata_filters\": {\"animal\": {\"~\": \"cat\"}}}"));
    assertEquals(400, bad.status());
  }

  @Test
  void aRefusedRebuildKeepsTheIndexAndNothingElseIsReplaced() throws Exception {
    assertThrows(ApiException.class,
        () -> EmbeddedLeann.build(index.toString(), DOCUMENTS, "{\"embedding_mode\": \"no-such-mode\"}"));
    JsonNode best = search("a cat resting in the sun", "{\"top_k\": 1}").get(0);
    assertEquals("cat", best.path("metadata").path("animal").asText(), "the index is the one built before");
    Path notes = Files.createDirectories(dir.resolve("notes.leann"));
    Files.writeString(notes.resolve("mine.txt"), "mine");
    assertThrows(IllegalArgumentException.class, () -> EmbeddedLeann.build(notes.toString(), DOCUMENTS, "{}"));
    assertEquals("mine", Files.readString(notes.resolve("mine.txt")));
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(List.of("notes.leann", "pets.leann"), left.map(p -> p.getFileName().toString()).sorted().toList(),
          "no staging directory is left");
    }
  }

  @Test
  void aRebuildReplacesTheIndex(@TempDir Path elsewhere) throws Exception {
    Path other = elsewhere.resolve("other.leann");
    EmbeddedLeann.build(other.toString(), "[{\"text\": \"apples\"}]", "{}");
    EmbeddedLeann.build(other.toString(), "[{\"text\": \"pears and plums\"}]", "{}");
    JsonNode hits = JSON.readTree(EmbeddedLeann.search(other.toString(), "fruit", "{}")).get("results");
    assertEquals(1, hits.size());
    assertEquals("pears and plums", hits.get(0).get("text").asText());
    assertTrue(Files.isDirectory(other));
  }

  private static JsonNode search(String query, String options) throws Exception {
    return JSON.readTree(EmbeddedLeann.search(index.toString(), query, options)).get("results");
  }
}
