package io.leann.embed.zmq;

import io.leann.embed.worker.AsyncEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.RequestIds;
import io.leann.protocol.wire.LeannMsgpack;
import io.leann.protocol.wire.LeannRequest;
import io.leann.protocol.wire.MalformedFrameException;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeFrame;
import io.leann.protocol.wire.NativeMessage;
import io.leann.protocol.wire.NativeMessage.ErrorCode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one request payload into its reply payload, in whichever framing the request came: native
 * frames (recognised by their magic) or the Python LEANN's msgpack. No sockets: the
 * {@link RecomputeServer} owns those and this class only computes.
 *
 * <p>Every request gets a reply, since a REQ client that gets none is stuck: native failures become
 * {@code ERROR} frames whose code says whether another worker may do better; msgpack failures
 * become the Python server's shape-correct sentinels (distance 1e9, zero vectors, an empty list).
 * The returned stage never fails. Thread-safe.
 */
final class RecomputeHandler {
  /** The Python server's distance for a passage it could not embed. */
  static final float MISSING_DISTANCE = 1e9f;

  private static final Logger log = LoggerFactory.getLogger(RecomputeHandler.class);

  private final AsyncEmbedder embedder;
  private final LeannBinding binding;

  /** {@code binding} may be null: id-based msgpack requests then find no passage. */
  RecomputeHandler(AsyncEmbedder embedder, LeannBinding binding) {
    this.embedder = embedder;
    this.binding = binding;
  }

  CompletionStage<byte[]> handle(byte[] payload) {
    return NativeCodec.isNative(payload) ? handleNative(payload) : handleMsgpack(payload);
  }

  private CompletionStage<byte[]> handleNative(byte[] payload) {
    long requestId = NativeCodec.peekRequestId(payload);
    NativeFrame frame;
    try {
      frame = NativeCodec.decode(payload);
    } catch (MalformedFrameException e) {
      boolean versionProblem = payload.length > 4 && payload[4] != NativeCodec.VERSION;
      return error(requestId, versionProblem ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.BAD_REQUEST,
          e.getMessage());
    }
    String trace = frame.traceId();
    long started = System.nanoTime();
    return switch (frame.message()) {
      case NativeMessage.Ping p ->
          reply(requestId, new NativeMessage.ModelInfo(embedder.modelId(), embedder.dimensions()));
      case NativeMessage.Distances d -> {
        if (d.query().length != embedder.dimensions()) {
          RequestIds.run(trace, () -> log.warn("request {}: a {}-d query for {} ({}-d)", requestId,
              d.query().length, embedder.modelId(), embedder.dimensions()));
          yield error(requestId, ErrorCode.BAD_REQUEST, "query has " + d.query().length
              + " dimensions but " + embedder.modelId() + " produces " + embedder.dimensions());
        }
        yield embed(d.texts())
            .thenApply(v -> encode(requestId,
                new NativeMessage.DistancesReply(EngineDistances.of(d.metric(), d.query(), v))))
            .exceptionally(e -> embeddingError(requestId, trace, d.texts().size(), e))
            .whenComplete((r, t) -> served(trace, requestId, "distances", d.texts().size(), started));
      }
      case NativeMessage.Embed e -> embed(e.texts())
          .thenApply(v -> encode(requestId, new NativeMessage.EmbedReply(embedder.dimensions(), v)))
          .exceptionally(t -> embeddingError(requestId, trace, e.texts().size(), t))
          .whenComplete((r, t) -> served(trace, requestId, "embeddings", e.texts().size(), started));
      default -> error(requestId, ErrorCode.BAD_REQUEST, "message type " + frame.message().type()
          + " is a reply, not a request");
    };
  }

  private CompletionStage<byte[]> handleMsgpack(byte[] payload) {
    LeannRequest request;
    try {
      request = LeannMsgpack.decodeRequest(payload);
    } catch (MalformedFrameException e) {
      log.warn("unrecognised msgpack request of {} bytes: {}", payload.length, e.getMessage());
      return done(LeannMsgpack.encodeEmbeddingsReply(
          new LeannMsgpack.Embeddings(0, embedder.dimensions(), new float[0])));
    }
    return switch (request) {
      case LeannRequest.QueryModel q -> done(LeannMsgpack.encodeModelReply(embedder.modelId()));
      case LeannRequest.EmbedTexts t -> embed(t.texts())
          .thenApply(LeannMsgpack::encodeTextEmbeddingsReply)
          .exceptionally(e -> {
            log.warn("text embedding of {} texts failed", t.texts().size(), e);
            return LeannMsgpack.encodeTextEmbeddingsReply(new float[0][]);
          });
      case LeannRequest.DistancesById d -> distancesById(d);
      case LeannRequest.EmbeddingsById e -> embeddingsById(e.ids());
    };
  }

  private CompletionStage<byte[]> distancesById(LeannRequest.DistancesById request) {
    int n = request.ids().size();
    float[] sentinels = new float[n];
    Arrays.fill(sentinels, MISSING_DISTANCE);
    if (request.query().length != embedder.dimensions()) {
      log.warn("distance request with a {}-d query for {} ({}-d): answering sentinels",
          request.query().length, embedder.modelId(), embedder.dimensions());
      return done(LeannMsgpack.encodeDistancesReply(sentinels));
    }
    Found found = lookUp(request.ids());
    Metric metric = binding == null ? Metric.L2 : binding.metric();
    return embed(found.texts())
        .thenApply(vectors -> {
          float[] distances = sentinels.clone();
          float[] computed = EngineDistances.of(metric, request.query(), vectors);
          for (int i = 0; i < computed.length; i++) {
            distances[found.positions()[i]] = computed[i];
          }
          return LeannMsgpack.encodeDistancesReply(distances);
        })
        .exceptionally(e -> {
          log.warn("distance request for {} passages failed: answering sentinels", n, e);
          return LeannMsgpack.encodeDistancesReply(sentinels);
        });
  }

  private CompletionStage<byte[]> embeddingsById(List<String> ids) {
    int dims = embedder.dimensions();
    Found found = lookUp(ids);
    boolean normalise = binding != null && binding.metric().normalises();
    return embed(found.texts())
        .thenApply(vectors -> {
          float[] flat = new float[ids.size() * dims];
          for (int i = 0; i < vectors.length; i++) {
            if (normalise) {
              EngineDistances.normalise(vectors[i]);
            }
            System.arraycopy(vectors[i], 0, flat, found.positions()[i] * dims, dims);
          }
          return flat;
        })
        .exceptionally(e -> {
          log.warn("embedding request for {} passages failed: answering zeros", ids.size(), e);
          return new float[ids.size() * dims];
        })
        .thenApply(flat -> LeannMsgpack.encodeEmbeddingsReply(new LeannMsgpack.Embeddings(ids.size(), dims, flat)));
  }

  /** Texts of the ids that have one, and where each sits in the request. */
  private record Found(List<String> texts, int[] positions) {}

  private Found lookUp(List<String> ids) {
    List<String> texts = new ArrayList<>(ids.size());
    int[] positions = new int[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      String text = binding == null ? null : binding.passages().text(ids.get(i));
      if (text != null) {
        positions[texts.size()] = i;
        texts.add(text);
      }
    }
    return new Found(texts, positions);
  }

  /** The embedder's stage, with a synchronous throw turned into a failed stage. */
  private CompletionStage<float[][]> embed(List<String> texts) {
    try {
      return embedder.embed(texts);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A debug line per answered request, with the trace id in the MDC. */
  private static void served(String trace, long requestId, String what, int texts, long startedNanos) {
    if (log.isDebugEnabled()) {
      RequestIds.run(trace, () -> log.debug("request {}: {} of {} texts answered in {} ms", requestId, what,
          texts, (System.nanoTime() - startedNanos) / 1_000_000));
    }
  }

  private byte[] embeddingError(long requestId, String trace, int texts, Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    boolean timeout = cause instanceof TimeoutException;
    RequestIds.run(trace, () -> log.warn("embedding {} texts for request {} failed: {}", texts, requestId,
        cause.toString()));
    return encode(requestId, new NativeMessage.Error(
        timeout ? ErrorCode.TIMEOUT : ErrorCode.EMBEDDING_FAILED,
        (timeout ? "embedding timed out: " : "embedding failed: ") + cause.getMessage()));
  }

  private static CompletionStage<byte[]> reply(long requestId, NativeMessage message) {
    return done(encode(requestId, message));
  }

  private static CompletionStage<byte[]> error(long requestId, ErrorCode code, String message) {
    return reply(requestId, new NativeMessage.Error(code, message));
  }

  private static byte[] encode(long requestId, NativeMessage message) {
    return NativeCodec.encode(requestId, message);
  }

  private static CompletionStage<byte[]> done(byte[] reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
