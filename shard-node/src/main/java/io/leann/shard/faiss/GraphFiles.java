package io.leann.shard.faiss;

import io.leann.protocol.Metric;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchableIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a shard's graph file in whichever format it is: ours ({@code LEANNHNS}, {@link HnswIndex})
 * or the Python LEANN's FAISS {@code IHNf} ({@link FaissIndex}), told apart by the first bytes, so
 * an imported index is served by the same code paths as a built one. Stateless.
 */
public final class GraphFiles {
  private GraphFiles() {}

  /**
   * Maps and verifies {@code path}.
   *
   * @param declared the metric of the index's meta file, which a FAISS file needs (it cannot tell
   *     cosine from inner product) and must agree with
   * @throws IndexFormatException if the file is malformed
   */
  public static SearchableIndex open(Path path, Metric declared) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(4);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(path.toString(), null, "graph file not found");
    }
    if (FaissIndex.isFaissHnsw(head)) {
      return FaissIndex.open(path, declared);
    }
    return HnswIndex.load(path);
  }
}
