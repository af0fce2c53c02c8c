package io.leann.embed.zmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.leann.embed.EmbeddingException;
import io.leann.embed.leann.LeannServerEmbedder;
import io.leann.embed.worker.BatchCoalescer;
import io.leann.embed.worker.EmbedClient;
import io.leann.embed.worker.EmbedPoolMetrics;
import io.leann.embed.worker.EmbedSettings;
import io.leann.embed.worker.TrigramEmbedder;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeMessage;
import io.leann.protocol.wire.ZmqCurve;
import io.leann.protocol.wire.ZmqHandshake;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * CURVE on the recompute port, with real sockets on 127.0.0.1: the allowed client key is served,
 * an unknown client key, a client expecting another server key and a client without CURVE get no
 * answer, and a server on a non-loopback address refuses to start without keys.
 */
class RecomputeServerCurveTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  private static final int SILENCE_MS = 1_500;
  private static final ZMQ.Curve.KeyPair SERVER = ZMQ.Curve.generateKeyPair();
  private static final ZMQ.Curve.KeyPair CLIENT = ZMQ.Curve.generateKeyPair();
  private static final ZMQ.Curve.KeyPair STRANGER = ZMQ.Curve.generateKeyPair();
  private static final ServerSettings DEFAULTS = ServerSettings.fromConfig(ConfigFactory.load());

  private static ZContext clients;
  private static ActorRef<BatchCoalescer.Command> pool;
  private static EmbedClient embedClient;
  private static RecomputeServer server;

  @BeforeAll
  static void start() {
    clients = new ZContext(1);
    TrigramEmbedder embedder = new TrigramEmbedder();
    EmbedSettings settings = EmbedSettings.fromConfig(ConfigFactory.load());
    pool = testKit.spawn(BatchCoalescer.create(embedder, settings, new EmbedPoolMetrics(new SimpleMeterRegistry())));
    embedClient = EmbedClient.of(pool, testKit.scheduler(), embedder, settings);
    server = RecomputeServer.start(DEFAULTS.withEndpoint("tcp://127.0.0.1:0")
        .withCurve(new ServerSettings.Curve(SERVER.secretKey, Set.of(CLIENT.publicKey))), embedClient);
  }

  @AfterAll
  static void stop() {
    server.close();
    testKit.stop(pool);
    clients.close();
    testKit.shutdownTestKit();
  }

  @Test
  void theAllowedClientKeyIsServed() throws Exception {
    // JeroMQ 0.6 occasionally stalls a new connection's handshake (ZmqHandshake): a fresh socket gets past it.
    byte[] reply = null;
    for (int attempt = 0; attempt < 3 && reply == null; attempt++) {
      reply = ping(new ZmqCurve.ClientKeys(SERVER.publicKey, CLIENT.publicKey, CLIENT.secretKey), 4_000);
    }
    assertNotNull(reply, "the allowed client key is answered");
    var info = assertInstanceOf(NativeMessage.ModelInfo.class, NativeCodec.decode(reply).message());
    assertEquals(TrigramEmbedder.MODEL_ID, info.modelId());

    try (LeannServerEmbedder embedder = LeannServerEmbedder.connect(server.endpoint(), null, Duration.ofSeconds(10),
        new ZmqCurve.ClientKeys(SERVER.publicKey, CLIENT.publicKey, CLIENT.secretKey))) {
      assertArrayEquals(TrigramEmbedder.vector("over curve"), embedder.embed(List.of("over curve"))[0]);
    }
  }

  @Test
  void anUnknownClientKeyGetsNoAnswer() {
    assertNull(ping(new ZmqCurve.ClientKeys(SERVER.publicKey, STRANGER.publicKey, STRANGER.secretKey), SILENCE_MS));
    EmbeddingException e = assertThrows(EmbeddingException.class, () -> LeannServerEmbedder.connect(
        server.endpoint(), null, Duration.ofMillis(SILENCE_MS),
        new ZmqCurve.ClientKeys(SERVER.publicKey, STRANGER.publicKey, STRANGER.secretKey)));
    assertTrue(e.getMessage().contains("no reply"), e.getMessage());
    assertFalse(e.getMessage().contains(STRANGER.secretKey), "the secret key never appears in a message");
  }

  @Test
  void aClientExpectingAnotherServerKeyGetsNoAnswer() {
    assertNull(ping(new ZmqCurve.ClientKeys(STRANGER.publicKey, CLIENT.publicKey, CLIENT.secretKey), SILENCE_MS));
  }

  @Test
  void aClientWithoutCurveGetsNoAnswer() {
    assertNull(ping(null, SILENCE_MS));
  }

  @Test
  void aNonLoopbackEndpointNeedsKeys() {
    for (String endpoint : List.of("tcp://0.0.0.0:0", "tcp://*:0", "tcp://192.0.2.1:5557")) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> RecomputeServer.start(DEFAULTS.withEndpoint(endpoint).withCurve(null), embedClient));
      assertTrue(e.getMessage().contains(endpoint) && e.getMessage().contains("LEANN_ZMQ_SERVER_SECRET_KEY")
          && e.getMessage().contains("LEANN_ZMQ_ALLOWED_CLIENT_KEYS"), e.getMessage());
    }
  }

  @Test
  void loopbackIsTellingApartLocalEndpoints() {
    for (String local : List.of("tcp://127.0.0.1:5557", "tcp://localhost:0", "tcp://[::1]:5557", "tcp://127.0.0.2:1",
        "ipc:///tmp/leann.sock", "inproc://x")) {
      assertTrue(DEFAULTS.withEndpoint(local).loopback(), local);
    }
    for (String remote : List.of("tcp://0.0.0.0:5557", "tcp://*:5557", "tcp://[::]:5557", "tcp://10.1.2.3:5557",
        "tcp://no-such-interface-name.invalid:5557")) {
      assertFalse(DEFAULTS.withEndpoint(remote).loopback(), remote);
    }
  }

  @Test
  void curveSettingsAreBothOrNoneAndNeverPrintTheSecret() {
    var config = ConfigFactory.parseMap(Map.of("leann.embed.server.curve.secret-key", SERVER.secretKey))
        .withFallback(ConfigFactory.load());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerSettings.fromConfig(config));
    assertTrue(e.getMessage().contains("only secret-key is set"), e.getMessage());
    assertFalse(e.getMessage().contains(SERVER.secretKey));

    var both = ConfigFactory.parseMap(Map.of("leann.embed.server.curve.secret-key", SERVER.secretKey,
        "leann.embed.server.curve.allowed-clients", CLIENT.publicKey + ", " + STRANGER.publicKey))
        .withFallback(ConfigFactory.load());
    ServerSettings settings = ServerSettings.fromConfig(both);
    assertEquals(Set.of(CLIENT.publicKey, STRANGER.publicKey), settings.curve().allowedClients());
    assertFalse(settings.toString().contains(SERVER.secretKey), settings.toString());
  }

  /** One PING on a fresh DEALER with {@code keys} (null: no CURVE); the reply, or null after {@code waitMs}. */
  private static byte[] ping(ZmqCurve.ClientKeys keys, int waitMs) {
    ZMQ.Socket socket = clients.createSocket(SocketType.DEALER);
    try {
      socket.setLinger(0);
      socket.setReceiveTimeOut(waitMs);
      socket.setHandshakeIvl(ZmqHandshake.intervalMillis(Duration.ofMillis(waitMs)));
      if (keys != null) {
        socket.setCurveServerKey(ZmqCurve.bytes(keys.serverKey()));
        socket.setCurvePublicKey(ZmqCurve.bytes(keys.publicKey()));
        socket.setCurveSecretKey(ZmqCurve.bytes(keys.secretKey()));
      }
      socket.connect(server.endpoint());
      socket.sendMore(new byte[0]);
      socket.send(NativeCodec.encode(1, new NativeMessage.Ping()));
      ZMsg reply = ZMsg.recvMsg(socket);
      return reply == null ? null : reply.getLast().getData();
    } finally {
      socket.close();
    }
  }

}
