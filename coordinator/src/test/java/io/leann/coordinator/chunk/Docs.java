package io.leann.coordinator.chunk;

import io.leann.coordinator.ingest.Document;
import io.leann.coordinator.ingest.FileType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Builds documents for chunker tests without touching the file system. */
final class Docs {

  static final Instant MODIFIED = Instant.parse("2025-01-02T03:04:05Z");

  private Docs() {
  }

  static Document of(String fileName, String text) {
    return paged(fileName, text, List.of());
  }

  static Document paged(String fileName, String text, List<Integer> pageStarts) {
    return new Document(Path.of("/corpus", fileName), fileName, text, FileType.of(fileName), MODIFIED,
        text.getBytes(StandardCharsets.UTF_8).length, "0".repeat(64), "", pageStarts);
  }

  /** A file of src/test/resources/corpus as a document. */
  static Document corpus(String fileName) {
    try {
      Path path = Path.of(Docs.class.getResource("/corpus/" + fileName).toURI());
      return of(fileName, Files.readString(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Lines {@code start..end} (1-based, inclusive) of {@code text}, joined by newlines. */
  static String lines(String text, int start, int end) {
    String[] all = text.split("\n", -1);
    return String.join("\n", Arrays.copyOfRange(all, start - 1, end));
  }
}
