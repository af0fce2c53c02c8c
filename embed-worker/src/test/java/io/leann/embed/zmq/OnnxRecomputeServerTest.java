package io.leann.embed.zmq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.protocol.Metric;
import io.leann.protocol.wire.LeannMsgpack;
import io.leann.protocol.wire.LeannRequest;
import io.leann.protocol.wire.NativeMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.zeromq.ZContext;

/** The recompute server in front of the real local model: all-MiniLM-L6-v2 through ONNX Runtime. */
class OnnxRecomputeServerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void cosineDistancesFromTheOnnxModelRankTheMatchingPassagesFirst() throws Exception {
    List<String> texts = List.of(
        "The cat sat on the warm windowsill all afternoon.",
        "Interest rates rose again as the central bank fought inflation.",
        "A kitten napped in the sun by the window.",
        "The compiler rejected the program because of a type error.");
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    try (OnnxEmbedder embedder = OnnxEmbedder.create(2); ZContext ctx = new ZContext(1)) {
      ActorRef<BatchCoalescer.Command> pool = testKit.spawn(BatchCoalescer.create(embedder, settings,
          new EmbedPoolMetrics(new SimpleMeterRegistry())));
      try (RecomputeServer server = RecomputeServer.start(
              ServerSettings.fromConfig(ConfigFactory.load()).withEndpoint("tcp://127.0.0.1:0"),
              EmbedClient.of(pool, testKit.scheduler(), embedder, settings));
          NativeTestClient client = new NativeTestClient(ctx, server.endpoint());
          ReqTestClient req = new ReqTestClient(ctx, server.endpoint())) {
        assertEquals(OnnxEmbedder.MODEL_ID, LeannMsgpack.decodeModelReply(
            req.call(LeannMsgpack.encode(new LeannRequest.QueryModel()))));

        float[] query = embedder.embed(List.of("Where is the cat sleeping?"))[0];
        EngineDistances.normalise(query);
        var reply = assertInstanceOf(NativeMessage.DistancesReply.class,
            client.call(1, new NativeMessage.Distances(Metric.COSINE, query, texts)).message());
        float[][] local = embedder.embed(texts);
        float[] d = reply.distances();
        for (int i = 0; i < texts.size(); i++) {
          EngineDistances.normalise(local[i]);
          double dot = 0;
          for (int dim = 0; dim < query.length; dim++) {
            dot += (double) local[i][dim] * query[dim];
          }
          assertEquals(-dot, d[i], 1e-4, "text " + i);
        }
        assertTrue(Math.max(d[0], d[2]) < Math.min(d[1], d[3]),
            "both cat passages are closer than the others: " + Arrays.toString(d));
      } finally {
        testKit.stop(pool);
      }
    }
  }
}
