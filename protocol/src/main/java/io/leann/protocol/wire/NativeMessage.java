package io.leann.protocol.wire;

import io.leann.protocol.Metric;
import java.util.List;
import java.util.Objects;

/**
 * The messages of the native recompute protocol, version 1 ({@link NativeCodec} has the byte
 * layout). Requests carry everything a worker needs, texts included, so any worker can serve any
 * index without access to its passage store.
 *
 * <p>Records holding arrays compare by reference (as all records do); compare their arrays with
 * {@code Arrays.equals} in tests. Instances are immutable by convention: callers must not modify an
 * array after handing it to a message.
 */
public sealed interface NativeMessage {

  /** Wire code of this message type. */
  int type();

  /** Asks a worker which model it runs; answered by {@link ModelInfo}. */
  record Ping() implements NativeMessage {
    public static final int TYPE = 1;

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** The worker's model and the length of the vectors it produces. */
  record ModelInfo(String modelId, int dims) implements NativeMessage {
    public static final int TYPE = 2;

    public ModelInfo {
      Objects.requireNonNull(modelId, "modelId");
      if (dims < 1) {
        throw new IllegalArgumentException("dims must be positive: " + dims);
      }
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /**
   * Embed {@code texts} and return the engine distance of each to {@code query}: squared L2, or
   * the negated dot product (for cosine, of the normalised fresh embedding; the query is expected
   * to be normalised already). Answered by {@link DistancesReply}.
   */
  record Distances(Metric metric, float[] query, List<String> texts) implements NativeMessage {
    public static final int TYPE = 3;

    public Distances {
      Objects.requireNonNull(metric, "metric");
      if (query.length == 0) {
        throw new IllegalArgumentException("query must have at least one dimension");
      }
      texts = List.copyOf(texts);
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** One distance per text of the {@link Distances} request, in request order; lower is closer. */
  record DistancesReply(float[] distances) implements NativeMessage {
    public static final int TYPE = 4;

    public DistancesReply {
      Objects.requireNonNull(distances, "distances");
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** Embed {@code texts} as they are (no normalisation); answered by {@link EmbedReply}. */
  record Embed(List<String> texts) implements NativeMessage {
    public static final int TYPE = 5;

    public Embed {
      texts = List.copyOf(texts);
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** One vector of {@code dims} floats per text of the {@link Embed} request, in request order. */
  record EmbedReply(int dims, float[][] vectors) implements NativeMessage {
    public static final int TYPE = 6;

    public EmbedReply {
      if (dims < 1) {
        throw new IllegalArgumentException("dims must be positive: " + dims);
      }
      for (int i = 0; i < vectors.length; i++) {
        if (vectors[i].length != dims) {
          throw new IllegalArgumentException(
              "vector " + i + " has " + vectors[i].length + " floats, expected " + dims);
        }
      }
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** The request failed; {@code code} tells the client whether another worker may do better. */
  record Error(ErrorCode code, String message) implements NativeMessage {
    public static final int TYPE = 7;

    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public int type() {
      return TYPE;
    }
  }

  /** Why a request failed. */
  enum ErrorCode {
    /** The frame could not be decoded or asks for something impossible (e.g. wrong dimensions). */
    BAD_REQUEST(1),
    /** The frame's version is one this worker does not speak. */
    UNSUPPORTED_VERSION(2),
    /** The model failed on these texts. */
    EMBEDDING_FAILED(3),
    /** The worker's own deadline for the request passed. */
    TIMEOUT(4),
    /** Anything else that went wrong inside the worker. */
    INTERNAL(5);

    private final int code;

    ErrorCode(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    /** The code with this wire value, or null if there is none. */
    static ErrorCode fromCode(int code) {
      for (ErrorCode c : values()) {
        if (c.code == code) {
          return c;
        }
      }
      return null;
    }
  }
}
