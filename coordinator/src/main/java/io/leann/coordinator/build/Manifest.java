package io.leann.coordinator.build;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.index.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a build was made from: each source file's content hash and the passage rows its chunks
 * occupy, plus a fingerprint of every setting that changes passages or vectors. The next build
 * reuses the rows (and cached embeddings) of files whose hash is unchanged; a changed fingerprint
 * means nothing can be reused.
 *
 * @param fingerprint settings that determine passages and embeddings (reuse needs them equal)
 * @param graph settings that determine only the graphs (a change there rebuilds the graphs)
 * @param files absolute path to its entry, in build order
 * @param buildArgs the {@code leann build} arguments that made the index, for {@code leann watch}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("graph") String graph,
    @JsonProperty("files") LinkedHashMap<String, FileEntry> files,
    @JsonProperty("build_args") List<String> buildArgs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param hash SHA-256 of the file's bytes
   * @param firstRow first passage row of its chunks
   * @param count number of chunks
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FileEntry(
      @JsonProperty("hash") String hash,
      @JsonProperty("first_row") long firstRow,
      @JsonProperty("count") int count) {}

  public static Manifest read(Path file) throws IOException {
    return JSON.readValue(Files.readAllBytes(file), Manifest.class);
  }

  public void write(Path file) throws IOException {
    AtomicFiles.write(file, JSON.writeValueAsBytes(this));
  }


  /** Whether {@code other} describes the same files with the same contents under the same settings. */
  public boolean sameAs(Manifest other) {
    if (!fingerprint.equals(other.fingerprint) || !Objects.equals(graph, other.graph)
        || files.size() != other.files.size()) {
      return false;
    }
    for (Map.Entry<String, FileEntry> e : files.entrySet()) {
      FileEntry o = other.files.get(e.getKey());
      if (o == null || !o.hash().equals(e.getValue().hash())) {
        return false;
      }
    }
    return true;
  }
}
