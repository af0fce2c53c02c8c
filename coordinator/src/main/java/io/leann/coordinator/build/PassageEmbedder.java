package io.leann.coordinator.build;

import io.leann.embed.Embedder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The embedding stage of the build pipeline ({@link IndexBuilder}): passage texts (the index's
 * passage template already applied) in, one vector per text out, in order. Implementations: an
 * in-process {@link Embedder} ({@link #local}), and the cluster's embed pool.
 *
 * <p>Implementations are thread-safe; the pipeline keeps up to {@link #parallelism()} requests in flight.
 */
public interface PassageEmbedder {
  /** The model id recorded in the meta. */
  String modelId();

  /** Dimensions of the vectors, or 0 while not known (a remote model's, before its first answer). */
  int dimensions();

  /** How many requests the pipeline may have in flight at once. */
  int parallelism();

  CompletionStage<float[][]> embed(List<String> texts);

  /** An in-process embedder: one request at a time, on the build's thread. */
  static PassageEmbedder local(Embedder embedder) {
    return new PassageEmbedder() {
      @Override
      public String modelId() {
        return embedder.modelId();
      }

      @Override
      public int dimensions() {
        return embedder.dimensions();
      }

      @Override
      public int parallelism() {
        return 1;
      }

      @Override
      public CompletionStage<float[][]> embed(List<String> texts) {
        try {
          return CompletableFuture.completedFuture(embedder.embed(texts));
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
    };
  }
}
