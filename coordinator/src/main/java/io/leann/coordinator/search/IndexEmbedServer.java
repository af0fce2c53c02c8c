package io.leann.coordinator.search;

import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.index.IndexLayout;
import io.leann.embed.Embedder;
import io.leann.embed.worker.AsyncEmbedder;
import io.leann.embed.zmq.LeannBinding;
import io.leann.embed.zmq.PassageTexts;
import io.leann.embed.zmq.RecomputeServer;
import io.leann.embed.zmq.ServerSettings;
import io.leann.protocol.index.PromptTemplates;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Our recompute server bound to one index, standing in for the Python LEANN's
 * {@code hnsw_embedding_server.py}: it answers that server's msgpack frames (query texts,
 * {@code __QUERY_MODEL__}, and distance and embedding requests by graph node id, resolved to the
 * index's passage rows) as well as our native frames, with the model the index was built with. A
 * Python LEANN searcher over the same index sends its recompute batches here.
 *
 * <p>Embedding runs on one thread of its own (the model parallelises inside a call); the socket has
 * its own thread. Close to stop both and release the index and the model.
 */
public final class IndexEmbedServer implements AutoCloseable {
  private final LocalIndex index;
  private final Embedder embedder;
  private final ExecutorService work;
  private final RecomputeServer server;

  private IndexEmbedServer(LocalIndex index, Embedder embedder, ExecutorService work, RecomputeServer server) {
    this.index = index;
    this.embedder = embedder;
    this.work = work;
    this.server = server;
  }

  /**
   * Opens the index and its model and binds {@code endpoint}.
   *
   * @throws IllegalArgumentException if the index has several shards: Python requests name graph
   *     nodes, which are passage rows only in an unsharded index
   * @throws IllegalStateException if the endpoint cannot be bound
   */
  public static IndexEmbedServer start(IndexLayout layout, Map<String, String> env, String endpoint)
      throws IOException {
    LocalIndex index = LocalIndex.open(layout);
    Embedder embedder = null;
    ExecutorService work = null;
    try {
      if (index.shardCount() != 1) {
        throw new IllegalArgumentException("index '" + layout.name() + "' has " + index.shardCount()
            + " shards; a LEANN embedding server resolves graph node ids, which are passage rows only in an"
            + " unsharded index");
      }
      embedder = Embedders.forIndex(index.meta(), env);
      ExecutorService pool = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("leann-embed-server").daemon()
          .factory());
      work = pool;
      Embedder model = embedder;
      AsyncEmbedder async = new AsyncEmbedder() {
        @Override
        public CompletionStage<float[][]> embed(List<String> texts) {
          return CompletableFuture.supplyAsync(() -> model.embed(texts), pool);
        }

        @Override
        public int dimensions() {
          return model.dimensions();
        }

        @Override
        public String modelId() {
          return model.modelId();
        }
      };
      RecomputeServer server = RecomputeServer.start(ServerSettings.fromConfig(ConfigFactory.load())
          .withEndpoint(endpoint), async, new LeannBinding(templated(PassageTexts.byRow(index.passages()),
              PromptTemplates.of(index.meta().embeddingOptions())), index.metric()));
      return new IndexEmbedServer(index, embedder, work, server);
    } catch (RuntimeException e) {
      if (work != null) {
        work.shutdownNow();
      }
      if (embedder != null) {
        embedder.close();
      }
      index.close();
      throw e;
    }
  }

  /**
   * Passage texts behind the index's passage template, as the build embedded them. Query texts
   * arrive templated: the Python LEANN's searcher puts the query template on before sending.
   */
  private static PassageTexts templated(PassageTexts texts, PromptTemplates templates) {
    return templates.passage() == null ? texts : id -> {
      String text = texts.text(id);
      return text == null ? null : templates.passage(text);
    };
  }

  /** The endpoint actually bound, e.g. {@code tcp://127.0.0.1:5557}. */
  public String endpoint() {
    return server.endpoint();
  }

  /** The model the server embeds with, as it answers {@code __QUERY_MODEL__}. */
  public String model() {
    return embedder.modelId();
  }

  @Override
  public void close() {
    server.close();
    work.shutdownNow();
    embedder.close();
    index.close();
  }
}
