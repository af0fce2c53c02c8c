package io.leann.coordinator.build;

import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.Chunker;
import io.leann.coordinator.ingest.Document;
import io.leann.coordinator.ingest.FileType;
import io.leann.protocol.api.DocumentIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The source of documents that come in over the API: each becomes one or more passages chunked as
 * a plain text file with the index's chunking, carrying the document's own metadata, plus
 * {@code chunk_index} and {@code chunk_count} when it takes several chunks. Every host (the
 * standalone server, the cluster) goes through here, so one document gives the same passages
 * wherever it is ingested.
 */
final class ApiDocuments {
  private ApiDocuments() {}

  /** A passage's text and metadata, before it has an id. */
  record Piece(String text, Map<String, Object> metadata) {}

  /**
   * @param dir the index directory (the chunker sees the document as a file in it)
   * @param i the document's position in its batch
   */
  static List<Piece> chunk(Chunker chunker, Path dir, int i, DocumentIn doc) {
    List<Chunk> chunks = chunker.chunk(asFile(dir, i, doc.text())).chunks();
    List<Piece> pieces = new ArrayList<>(chunks.size());
    for (int c = 0; c < chunks.size(); c++) {
      Map<String, Object> metadata = new LinkedHashMap<>(doc.metadata() == null ? Map.of() : doc.metadata());
      if (chunks.size() > 1) {
        metadata.put("chunk_index", c);
        metadata.put("chunk_count", chunks.size());
      }
      pieces.add(new Piece(chunks.get(c).text(), metadata));
    }
    return pieces;
  }

  /** An API document as the chunker sees it: a plain text file of no particular origin. */
  private static Document asFile(Path dir, int i, String text) {
    String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
    String fileName = "document-" + i + ".txt";
    return new Document(dir.toAbsolutePath().resolve(fileName), fileName, normalised, FileType.of(fileName),
        Instant.EPOCH, normalised.getBytes(StandardCharsets.UTF_8).length, "", "", List.of());
  }
}
