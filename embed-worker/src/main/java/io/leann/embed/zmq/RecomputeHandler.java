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
import io.leann.protocol.wire.RequestLimits;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * become {@link LeannMsgpack#encodeErrorReply()}, the Python server's own reply to a failed
 * request, with the reason in the log. The returned stage never fails.
 *
 * <p>Bounded: a request is checked against the {@link RequestLimits} while it is decoded, and the
 * reply it asks for, and the embeddings the server would hold to compute it, against
 * {@code maxReplyBytes}, before anything is allocated per id or embedded. Repeated ids are
 * embedded once. An id without a text (unknown, unreadable or empty) fails the whole request
 * rather than getting a made-up distance or vector. Thread-safe.
 */
final class RecomputeHandler {
  private static final Logger log = LoggerFactory.getLogger(RecomputeHandler.class);
  /** The access log every hop of a request writes to (one line per recompute batch). */
  private static final Logger ACCESS = LoggerFactory.getLogger("leann.access");
  /** msgpack bytes of one float32 (tag + 4) and one float64 (tag + 8). */
  private static final int MSGPACK_F32 = 5;
  private static final int MSGPACK_F64 = 9;
  /** Headers of a reply's lists, generously: 5 bytes per array header. */
  private static final int REPLY_OVERHEAD = 64;

  private final AsyncEmbedder embedder;
  private final LeannBinding binding;
  private final RequestLimits limits;
  private final long maxReplyBytes;

  /** {@code binding} may be null: id-based msgpack requests are then refused. */
  RecomputeHandler(AsyncEmbedder embedder, LeannBinding binding, RequestLimits limits, long maxReplyBytes) {
    this.embedder = embedder;
    this.binding = binding;
    this.limits = limits;
    this.maxReplyBytes = maxReplyBytes;
  }

  CompletionStage<byte[]> handle(byte[] payload) {
    return NativeCodec.isNative(payload) ? handleNative(payload) : handleMsgpack(payload);
  }

  private CompletionStage<byte[]> handleNative(byte[] payload) {
    long requestId = NativeCodec.peekRequestId(payload);
    NativeFrame frame;
    try {
      frame = NativeCodec.decode(payload, limits);
    } catch (MalformedFrameException e) {
      boolean versionProblem = payload.length > 4 && payload[4] != NativeCodec.VERSION;
      log.warn("request {}: refused a native frame of {} bytes: {}", requestId, payload.length, e.getMessage());
      return error(requestId, versionProblem ? ErrorCode.UNSUPPORTED_VERSION : ErrorCode.BAD_REQUEST,
          e.getMessage());
    }
    String trace = frame.traceId();
    long started = System.nanoTime();
    int dims = embedder.dimensions();
    return switch (frame.message()) {
      case NativeMessage.Ping p ->
          reply(requestId, new NativeMessage.ModelInfo(embedder.modelId(), dims));
      case NativeMessage.Distances d -> {
        String refusal = d.query().length != dims
            ? "query has " + d.query().length + " dimensions but " + embedder.modelId() + " produces " + dims
            : overReplyCap("embeddings", (long) d.texts().size() * dims * Float.BYTES);
        if (refusal != null) {
          RequestIds.run(trace, () -> log.warn("request {}: refused: {}", requestId, refusal));
          yield error(requestId, ErrorCode.BAD_REQUEST, refusal);
        }
        yield embed(d.texts())
            .thenApply(v -> encode(requestId,
                new NativeMessage.DistancesReply(EngineDistances.of(d.metric(), d.query(), v))))
            .exceptionally(e -> embeddingError(requestId, trace, d.texts().size(), e))
            .whenComplete((r, t) -> served(trace, requestId, "distances", d.texts().size(), started));
      }
      case NativeMessage.Embed e -> {
        String refusal = overReplyCap("reply", (long) e.texts().size() * dims * Float.BYTES);
        if (refusal != null) {
          RequestIds.run(trace, () -> log.warn("request {}: refused: {}", requestId, refusal));
          yield error(requestId, ErrorCode.BAD_REQUEST, refusal);
        }
        yield embed(e.texts())
            .thenApply(v -> encode(requestId, new NativeMessage.EmbedReply(dims, v)))
            .exceptionally(t -> embeddingError(requestId, trace, e.texts().size(), t))
            .whenComplete((r, t) -> served(trace, requestId, "embeddings", e.texts().size(), started));
      }
      default -> error(requestId, ErrorCode.BAD_REQUEST, "message type " + frame.message().type()
          + " is a reply, not a request");
    };
  }

  private CompletionStage<byte[]> handleMsgpack(byte[] payload) {
    LeannRequest request;
    try {
      request = LeannMsgpack.decodeRequest(payload, limits);
    } catch (MalformedFrameException e) {
      return refuse("a msgpack request of " + payload.length + " bytes: " + e.getMessage());
    }
    int dims = embedder.dimensions();
    return switch (request) {
      case LeannRequest.QueryModel q -> done(LeannMsgpack.encodeModelReply(embedder.modelId()));
      case LeannRequest.EmbedTexts t -> {
        String refusal = overReplyCap("reply", (long) t.texts().size() * dims * MSGPACK_F64);
        yield refusal != null ? refuse("embedding " + t.texts().size() + " texts: " + refusal)
            : embed(t.texts())
                .thenApply(LeannMsgpack::encodeTextEmbeddingsReply)
                .exceptionally(e -> failed("text embedding of " + t.texts().size() + " texts", e));
      }
      case LeannRequest.DistancesById d -> distancesById(d, dims);
      case LeannRequest.EmbeddingsById e -> embeddingsById(e.ids(), dims);
    };
  }

  private CompletionStage<byte[]> distancesById(LeannRequest.DistancesById request, int dims) {
    int n = request.ids().size();
    if (request.query().length != dims) {
      return refuse("distance request with a " + request.query().length + "-d query for "
          + embedder.modelId() + " (" + dims + "-d)");
    }
    Resolved found;
    try {
      found = resolve(request.ids(), dims);
    } catch (Refusal r) {
      return refuse("distance request for " + n + " ids: " + r.getMessage());
    }
    Metric metric = binding.metric();
    return embed(found.texts())
        .thenApply(vectors -> {
          float[] distinct = EngineDistances.of(metric, request.query(), vectors);
          float[] distances = new float[n];
          for (int i = 0; i < n; i++) {
            distances[i] = distinct[found.slotOf()[i]];
          }
          return LeannMsgpack.encodeDistancesReply(distances);
        })
        .exceptionally(e -> failed("distance request for " + n + " ids", e));
  }

  private CompletionStage<byte[]> embeddingsById(List<String> ids, int dims) {
    int n = ids.size();
    String refusal = overReplyCap("reply", (long) n * dims * MSGPACK_F32);
    if (refusal != null) {
      return refuse("embedding request for " + n + " ids: " + refusal);
    }
    Resolved found;
    try {
      found = resolve(ids, dims);
    } catch (Refusal r) {
      return refuse("embedding request for " + n + " ids: " + r.getMessage());
    }
    boolean normalise = binding.metric().normalises();
    return embed(found.texts())
        .thenApply(vectors -> {
          if (normalise) {
            for (float[] v : vectors) {
              EngineDistances.normalise(v);
            }
          }
          float[] flat = new float[n * dims];
          for (int i = 0; i < n; i++) {
            System.arraycopy(vectors[found.slotOf()[i]], 0, flat, i * dims, dims);
          }
          return LeannMsgpack.encodeEmbeddingsReply(new LeannMsgpack.Embeddings(n, dims, flat));
        })
        .exceptionally(e -> failed("embedding request for " + n + " ids", e));
  }

  /** The texts of a request's distinct ids, and for each request position the index of its id among them. */
  private record Resolved(List<String> texts, int[] slotOf) {}

  /** Why a request is refused; no stack trace, it is an answer, not a fault. */
  private static final class Refusal extends Exception {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Resolves each distinct id to its text once, refusing the request if an id has none or the
   * distinct ids' embeddings would exceed the reply cap.
   */
  private Resolved resolve(List<String> ids, int dims) throws Refusal {
    if (binding == null) {
      throw new Refusal("this server has no passages to look ids up in");
    }
    Map<String, Integer> slots = new HashMap<>();
    int[] slotOf = new int[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      slotOf[i] = slots.computeIfAbsent(ids.get(i), id -> slots.size());
    }
    String refusal = overReplyCap("embeddings", (long) slots.size() * dims * Float.BYTES);
    if (refusal != null) {
      throw new Refusal(slots.size() + " distinct ids: " + refusal);
    }
    String[] texts = new String[slots.size()];
    for (Map.Entry<String, Integer> slot : slots.entrySet()) {
      String text = binding.passages().text(slot.getKey());
      if (text == null) {
        throw new Refusal("passage id " + abbreviate(slot.getKey())
            + " has no text to embed (unknown id, unreadable row or empty text)");
      }
      texts[slot.getValue()] = text;
    }
    return new Resolved(Arrays.asList(texts), slotOf);
  }

  /** Why {@code bytes} of {@code what} are too many, or null if they fit the reply cap. */
  private String overReplyCap(String what, long bytes) {
    return bytes + REPLY_OVERHEAD <= maxReplyBytes ? null
        : "the " + what + " would take " + bytes + " bytes, more than this server allows (max-reply-bytes "
            + maxReplyBytes + ")";
  }

  /** An id as far as a log line needs it: a hostile one may be 64 KiB long. */
  private static String abbreviate(String id) {
    return id.length() <= 40 ? id : id.substring(0, 40) + "...";
  }

  private static CompletionStage<byte[]> refuse(String why) {
    log.warn("refused {}", why);
    return done(LeannMsgpack.encodeErrorReply());
  }

  private static byte[] failed(String what, Throwable failure) {
    log.warn("{} failed: answering the error reply", what, failure);
    return LeannMsgpack.encodeErrorReply();
  }

  /** The embedder's stage, with a synchronous throw turned into a failed stage. */
  private CompletionStage<float[][]> embed(List<String> texts) {
    try {
      return embedder.embed(texts);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An access line per answered request, with the trace id in the MDC. */
  private static void served(String trace, long requestId, String what, int texts, long startedNanos) {
    RequestIds.run(trace, () -> ACCESS.info("request {}: {} of {} texts answered in {} ms id={}", requestId, what,
        texts, (System.nanoTime() - startedNanos) / 1_000_000, trace));
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
