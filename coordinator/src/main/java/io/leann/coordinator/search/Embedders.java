package io.leann.coordinator.search;

import io.leann.embed.Embedder;
import io.leann.embed.EmbedderFactory;
import io.leann.protocol.index.IndexMeta;
import java.util.Map;

/** Creates the embedder an index was built with, from its meta file. */
public final class Embedders {
  private Embedders() {}

  public static Embedder forIndex(IndexMeta meta, Map<String, String> env) {
    Embedder e = EmbedderFactory.create(meta.embeddingMode(), meta.embeddingModel(), env,
        meta.embeddingOptions());
    if (e.dimensions() != meta.dimensions()) {
      e.close();
      throw new IllegalStateException("model " + meta.embeddingModel() + " gives " + e.dimensions()
          + "-d embeddings but the index has " + meta.dimensions());
    }
    return e;
  }
}
