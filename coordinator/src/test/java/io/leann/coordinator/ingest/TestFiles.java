package io.leann.coordinator.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers to lay out small file trees for loader tests. */
final class TestFiles {

  private TestFiles() {
  }

  static Path write(Path root, String relative, String content) {
    return write(root, relative, content.getBytes(StandardCharsets.UTF_8));
  }

  static Path write(Path root, String relative, byte[] content) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      return Files.write(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads everything and returns the documents in order; the report is read from the stream afterwards. */
  static List<Document> loadAll(DocumentStream stream) {
    List<Document> docs = new ArrayList<>();
    stream.forEachRemaining(docs::add);
    return docs;
  }

  static List<String> relativePaths(List<Document> docs) {
    return docs.stream().map(Document::relativePath).toList();
  }
}
