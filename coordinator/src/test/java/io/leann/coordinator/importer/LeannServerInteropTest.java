package io.leann.coordinator.importer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.index.IndexRegistry;
import io.leann.coordinator.search.IndexEmbedServer;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import io.leann.embed.EmbeddingException;
import io.leann.embed.leann.LeannServerEmbedder;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.python.PythonLeannIndex;
import io.leann.protocol.testing.Fixtures;
import io.leann.protocol.wire.LeannMsgpack;
import io.leann.protocol.wire.LeannRequest;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Both directions of the Python LEANN's ZMQ embedding protocol on an imported index:
 * {@code leann embed-server} answers the frames a Python searcher (its C++ HNSW search) sends, and
 * the {@code leann-server} embedding mode searches through such a server. Our server stands in for
 * the Python one on the other side, since both speak the same frames.
 */
class LeannServerInteropTest {
  @TempDir Path tmp;

  @Test
  void pythonStyleRequestsAndLeannServerModeSearchThroughOneServer() throws Exception {
    Path fixtures = Fixtures.leannPython();
    IndexRegistry registry = new IndexRegistry(tmp.resolve("indexes"));
    PythonLeannIndex full = PythonLeannIndex.locate(fixtures.resolve("leann-python-full/documents.leann"), tmp);
    LeannImporter.run(full, registry.layout("emails"), false,
        EmbeddingMapping.of(full.meta().embeddingMode(), full.meta().embeddingModel(), null, null), Map.of());
    String query = "How do I report a bug in the sequences window of exmh?";
    try (IndexEmbedServer server = IndexEmbedServer.start(registry.layout("emails"), Map.of(), "tcp://127.0.0.1:0");
        OnnxEmbedder local = OnnxEmbedder.create();
        PassageStore passages = PassageStore.open(full.passages(), full.offsets());
        ZContext zmq = new ZContext(1)) {
      assertEquals(OnnxEmbedder.MODEL_ID, server.model());
      // What the Python side sends: the model query, a query text, and one distance batch by node id.
      assertEquals(OnnxEmbedder.MODEL_ID, LeannMsgpack.decodeModelReply(
          call(zmq, server.endpoint(), LeannMsgpack.encode(new LeannRequest.QueryModel()))));
      float[] q = LeannMsgpack.decodeTextEmbeddingsReply(
          call(zmq, server.endpoint(), LeannMsgpack.encode(new LeannRequest.EmbedTexts(List.of(query)))))[0];
      assertArrayEquals(local.embed(List.of(query))[0], q, 1e-5f);
      List<String> ids = List.of("361", "0", "7");
      float[] distances = LeannMsgpack.decodeDistancesReply(call(zmq, server.endpoint(),
          LeannMsgpack.encode(new LeannRequest.DistancesById(ids, q))));
      assertEquals(3, distances.length);
      for (int i = 0; i < ids.size(); i++) {
        float[] e = local.embed(List.of(passages.get(Long.parseLong(ids.get(i))).text()))[0];
        // LEANN's mips distance: the negated dot product
        assertEquals(-VectorDistances.dot(e, q), distances[i], 1e-4f);
      }

      // The other direction: the pruned index searched with leann-server mode through that server.
      Map<String, String> env = Map.of(LeannServerEmbedder.ENDPOINT_VARIABLE, server.endpoint());
      PythonLeannIndex pruned = PythonLeannIndex.locate(fixtures.resolve("leann-python-pruned/documents.leann"), tmp);
      LeannImporter.run(pruned, registry.layout("via-server"), false,
          EmbeddingMapping.of(pruned.meta().embeddingMode(), pruned.meta().embeddingModel(), "leann-server", null), env);
      LeannImporter.run(pruned, registry.layout("local"), false,
          EmbeddingMapping.of(pruned.meta().embeddingMode(), pruned.meta().embeddingModel(), null, null), Map.of());
      try (IndexSearcher viaServer = IndexSearcher.open(registry.existing("via-server"), env);
          IndexSearcher onnx = IndexSearcher.open(registry.existing("local"), Map.of())) {
        assertEquals("leann-server", viaServer.index().meta().embeddingMode());
        // a narrow beam keeps the CPU embedding of visited passages short
        List<SearchHit> a = viaServer.search(query, 5, 16, null, null);
        List<SearchHit> b = onnx.search(query, 5, 16, null, null);
        assertEquals("361", a.get(0).id());
        assertEquals(b.stream().map(SearchHit::id).toList(), a.stream().map(SearchHit::id).toList());
      }

      // A server with another model is refused, naming both
      EmbeddingException e = assertThrows(EmbeddingException.class,
          () -> LeannServerEmbedder.connect(server.endpoint(), "facebook/contriever", Duration.ofSeconds(10), null));
      assertTrue(e.getMessage().contains("serves 'sentence-transformers/all-MiniLM-L6-v2'")
          && e.getMessage().contains("facebook/contriever"), e.getMessage());
    }
    assertEquals(new EmbeddingMapping("leann-server", "facebook/contriever"),
        EmbeddingMapping.of("sentence-transformers", "facebook/contriever", "leann-server", null));
  }

  @Test
  void noServerIsAClearError() {
    EmbeddingException e = assertThrows(EmbeddingException.class,
        () -> LeannServerEmbedder.connect("tcp://127.0.0.1:1", null, Duration.ofMillis(300), null));
    assertTrue(e.getMessage().contains("no reply from the LEANN embedding server at tcp://127.0.0.1:1"), e.getMessage());
  }

  /**
   * One request as a Python client sends it, on a fresh REQ socket. JeroMQ 0.6 (unlike the Python
   * side's libzmq) occasionally loses the first request of a new connection, so an unanswered one is
   * sent again on another fresh socket.
   */
  private static byte[] call(ZContext zmq, String endpoint, byte[] request) {
    for (int attempt = 0; attempt < 3; attempt++) {
      try (ZMQ.Socket socket = zmq.createSocket(SocketType.REQ)) {
        socket.setReceiveTimeOut(5_000);
        socket.setLinger(0);
        socket.connect(endpoint);
        socket.send(request, 0);
        byte[] reply = socket.recv(0);
        if (reply != null) {
          return reply;
        }
      }
    }
    throw new AssertionError("no reply from " + endpoint);
  }
}
