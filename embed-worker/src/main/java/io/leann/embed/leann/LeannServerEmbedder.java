package io.leann.embed.leann;

import io.leann.embed.Embedder;
import io.leann.embed.EmbeddingException;
import io.leann.protocol.wire.LeannMsgpack;
import io.leann.protocol.wire.LeannRequest;
import io.leann.protocol.wire.MalformedFrameException;
import io.leann.protocol.wire.ZmqCurve;
import io.leann.protocol.wire.ZmqHandshake;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Embeds through a running Python LEANN embedding server ({@code hnsw_embedding_server.py}, or our
 * own recompute server, which answers the same frames): one msgpack list of texts per call, the
 * vectors back (reference/leann.md §2). This lets an index whose model we cannot run locally (say
 * facebook/contriever, imported from the Python LEANN) be searched, and recomputed, with exactly
 * the model it was built with, by the process that already has it loaded.
 *
 * <p>On creation it asks the server which model it serves ({@code __QUERY_MODEL__}) and refuses a
 * server serving another model than the index's, then probes the dimensions with one text, as
 * the Python LEANN does. With CURVE keys the connection is encrypted and the server must admit the
 * client key; a server that does not never answers, which reads as "no reply". Vectors are returned as the server computes them (sentence-transformers
 * output is not normalised; callers normalise for cosine).
 *
 * <p>Thread-safe: a call borrows a REQ socket from a pool (one thread per socket at a time, the
 * deque's hand-over giving ZMQ the memory barrier it needs) and returns it; a timed-out socket is
 * closed, so none is ever left in the wrong REQ state. {@link #close()} must follow the last call.
 */
public final class LeannServerEmbedder implements Embedder {
  /** Where the Python LEANN starts its first server; {@code LEANN_EMBEDDING_SERVER} overrides. */
  public static final String DEFAULT_ENDPOINT = "tcp://127.0.0.1:5557";
  public static final String ENDPOINT_VARIABLE = "LEANN_EMBEDDING_SERVER";
  /** CURVE keys, for a server that requires them (any one bound to a non-loopback address). */
  public static final String SERVER_KEY_VARIABLE = "LEANN_ZMQ_SERVER_PUBLIC_KEY";
  public static final String PUBLIC_KEY_VARIABLE = "LEANN_ZMQ_CLIENT_PUBLIC_KEY";
  public static final String SECRET_KEY_VARIABLE = "LEANN_ZMQ_CLIENT_SECRET_KEY";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** A model query is answered at once by a live server. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** The Python server truncates to the model's own limit; ours is only a hint for chunking. */
  private static final int MAX_TOKENS = 512;

  private final ZContext context = new ZContext(1);
  private final ConcurrentLinkedDeque<ZMQ.Socket> idle = new ConcurrentLinkedDeque<>();
  private final String endpoint;
  private final Duration timeout;
  private final ZmqCurve.ClientKeys curve;
  private final String model;
  private final int dimensions;

  private LeannServerEmbedder(String endpoint, Duration timeout, String expectedModel, ZmqCurve.ClientKeys curve) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.curve = curve;
    try {
      String served = LeannMsgpack.decodeModelReply(call(LeannMsgpack.encode(new LeannRequest.QueryModel())));
      if (expectedModel != null && !sameModel(served, expectedModel)) {
        throw new EmbeddingException("the LEANN embedding server at " + endpoint + " serves '" + served
            + "', but the index was embedded with '" + expectedModel + "'");
      }
      // Named as the index names it, so workers register under the model the shards look for.
      this.model = expectedModel != null ? expectedModel : served;
      this.dimensions = embed(List.of("dummy"))[0].length;
    } catch (MalformedFrameException e) {
      context.close();
      throw new EmbeddingException("the server at " + endpoint + " is not a LEANN embedding server: "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
  }

  /**
   * Connects to the server named by {@code LEANN_EMBEDDING_SERVER} in {@code env}, else
   * {@value #DEFAULT_ENDPOINT}, with the CURVE keys of {@code LEANN_ZMQ_SERVER_PUBLIC_KEY},
   * {@code LEANN_ZMQ_CLIENT_PUBLIC_KEY} and {@code LEANN_ZMQ_CLIENT_SECRET_KEY} if they are set.
   *
   * @param model the model the index needs, or null to accept whatever the server serves
   * @throws EmbeddingException if no server answers, or it serves another model
   * @throws IllegalArgumentException if only some of the key variables are set, or a key is invalid
   */
  public static LeannServerEmbedder fromEnvironment(String model, Map<String, String> env) {
    String endpoint = env.getOrDefault(ENDPOINT_VARIABLE, "");
    ZmqCurve.ClientKeys curve = ZmqCurve.ClientKeys.fromSettings(env.getOrDefault(SERVER_KEY_VARIABLE, ""),
        env.getOrDefault(PUBLIC_KEY_VARIABLE, ""), env.getOrDefault(SECRET_KEY_VARIABLE, ""),
        "the environment (" + SERVER_KEY_VARIABLE + ", " + PUBLIC_KEY_VARIABLE + ", " + SECRET_KEY_VARIABLE + ")");
    return connect(endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint.strip(), model, TIMEOUT, curve);
  }

  /**
   * Connects to the server at {@code endpoint}; see {@link #fromEnvironment}.
   *
   * @param curve CURVE keys, or null for a server without CURVE
   */
  public static LeannServerEmbedder connect(String endpoint, String model, Duration timeout, ZmqCurve.ClientKeys curve) {
    return new LeannServerEmbedder(endpoint, timeout, model, curve);
  }

  /** The Python side may report the model with or without its organisation prefix. */
  private static boolean sameModel(String served, String expected) {
    return served.equalsIgnoreCase(expected) || tail(served).equalsIgnoreCase(tail(expected));
  }

  private static String tail(String model) {
    return model.substring(model.lastIndexOf('/') + 1);
  }

  @Override
  public float[][] embed(List<String> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    float[][] vectors;
    try {
      byte[] reply = call(LeannMsgpack.encode(new LeannRequest.EmbedTexts(texts)));
      if (LeannMsgpack.isErrorReply(reply)) {
        throw new EmbeddingException("the LEANN embedding server at " + endpoint + " refused or failed to embed "
            + texts.size() + " texts (its log says why)");
      }
      vectors = LeannMsgpack.decodeTextEmbeddingsReply(reply);
    } catch (MalformedFrameException e) {
      throw new EmbeddingException("malformed reply from the LEANN embedding server at " + endpoint + ": "
          + e.getMessage(), e);
    }
    if (vectors.length != texts.size()) {
      throw new EmbeddingException("the LEANN embedding server at " + endpoint + " returned " + vectors.length
          + " vectors for " + texts.size() + " texts");
    }
    for (float[] v : vectors) {
      if (dimensions != 0 && v.length != dimensions) {
        throw new EmbeddingException("the LEANN embedding server at " + endpoint + " returned a "
            + v.length + "-d vector, expected " + dimensions);
      }
    }
    return vectors;
  }

  /**
   * One request and its reply on a pooled REQ socket. A socket that misses its deadline is closed
   * (a REQ socket cannot send again before it has received), never reused.
   */
  private byte[] call(byte[] request) {
    ZMQ.Socket socket = borrow();
    byte[] reply = exchange(socket, request, timeout);
    if (reply == null) {
      socket.close();
      throw new EmbeddingException("no reply from the LEANN embedding server at " + endpoint + " within "
          + timeout.toSeconds() + " s (is it running? start one, or set " + ENDPOINT_VARIABLE + "; a CURVE server also ignores clients whose key it does not admit)");
    }
    idle.addFirst(socket);
    return reply;
  }

  /**
   * An idle socket, or a fresh one that has answered a model query: the cheap probe finds a dead
   * server before a real request is at stake. The socket's handshake interval is cut to fit in the
   * probe's wait ({@link ZmqHandshake}).
   */
  private ZMQ.Socket borrow() {
    ZMQ.Socket pooled = idle.pollFirst();
    if (pooled != null) {
      return pooled;
    }
    Duration wait = timeout.compareTo(PROBE_TIMEOUT) < 0 ? timeout : PROBE_TIMEOUT;
    ZMQ.Socket socket = context.createSocket(SocketType.REQ);
    socket.setLinger(0);
    socket.setHandshakeIvl(ZmqHandshake.intervalMillis(wait));
    if (curve != null) {
      socket.setCurveServerKey(ZmqCurve.bytes(curve.serverKey()));
      socket.setCurvePublicKey(ZmqCurve.bytes(curve.publicKey()));
      socket.setCurveSecretKey(ZmqCurve.bytes(curve.secretKey()));
    }
    socket.connect(endpoint);
    if (exchange(socket, LeannMsgpack.encode(new LeannRequest.QueryModel()), wait) != null) {
      return socket;
    }
    socket.close();
    throw new EmbeddingException("no reply from the LEANN embedding server at " + endpoint + " within "
        + wait.toMillis() + " ms (is it running? start one, or set " + ENDPOINT_VARIABLE + "; a CURVE server also ignores clients whose key it does not admit)");
  }

  /** Sends and waits up to {@code wait} for the reply; null if none came. */
  private static byte[] exchange(ZMQ.Socket socket, byte[] request, Duration wait) {
    socket.setReceiveTimeOut((int) wait.toMillis());
    socket.setSendTimeOut((int) wait.toMillis());
    return socket.send(request, 0) ? socket.recv(0) : null;
  }

  @Override
  public int dimensions() {
    return dimensions;
  }

  @Override
  public String modelId() {
    return model;
  }

  @Override
  public int maxTokens() {
    return MAX_TOKENS;
  }

  @Override
  public void close() {
    context.close();
  }
}
