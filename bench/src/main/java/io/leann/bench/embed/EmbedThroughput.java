package io.leann.bench.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.embed.onnx.WordPieceTokenizer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embedding throughput of the local model, passages per second, against ONNX Runtime's own speed
 * on the same inputs. Inputs are windows of real English (the licence texts Debian ships) cut to
 * about 64 and 256 word pieces. The baseline runs the same model in a tight loop on pre-tokenised
 * inputs (no tokenising, pooling or normalising: the floor our pipeline adds to); ours is
 * {@link OnnxEmbedder#embed} with its tokeniser, pooling and thread pool, by call size and threads.
 *
 * <p>usage: {@code EmbedThroughput [passages per case, default 256]}
 */
public final class EmbedThroughput {
  private EmbedThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    String corpus = Files.readString(Path.of("/usr/share/common-licenses/GPL-3"))
        + Files.readString(Path.of("/usr/share/common-licenses/Apache-2.0"));
    System.out.printf(Locale.ROOT, "== embedding throughput: all-MiniLM-L6-v2 (int8 ONNX), %d cores, %d passages per case ==%n",
        Runtime.getRuntime().availableProcessors(), n);
    System.out.println("tokens  threads  ORT tight loop/s   ours by call size (passages/s): 1      8     32     64   best/ORT");
    try (OnnxEmbedder probe = OnnxEmbedder.create(1)) {
      for (int tokens : new int[] {64, 256}) {
        List<String> texts = windows(corpus, probe.tokenizer(), tokens, n);
        for (int threads : new int[] {1, 2}) {
          double raw = rawOrt(texts, probe.tokenizer(), threads);
          StringBuilder row = new StringBuilder();
          double best = 0;
          try (OnnxEmbedder ours = OnnxEmbedder.create(new OnnxEmbedder.Options(threads, 1, 256))) {
            for (int callSize : new int[] {1, 8, 32, 64}) {
              double rate = ours(ours, texts, callSize);
              best = Math.max(best, rate);
              row.append(String.format(Locale.ROOT, " %6.1f", rate));
            }
          }
          System.out.printf(Locale.ROOT, "%6d  %7d  %15.1f   %s   %.2f%n", tokens, threads, raw, row, best / raw);
        }
      }
    }
  }

  /** {@code count} consecutive word windows of about {@code tokens} word pieces (with [CLS]/[SEP]). */
  static List<String> windows(String corpus, WordPieceTokenizer tokenizer, int tokens, int count) {
    String[] words = corpus.split("\\s+");
    List<String> out = new ArrayList<>();
    int i = 0;
    while (out.size() < count) {
      StringBuilder sb = new StringBuilder();
      while (tokenizer.encode(sb.toString()).length < tokens) {
        sb.append(words[i++ % words.length]).append(' ');
      }
      out.add(sb.toString().strip());
    }
    return out;
  }

  private static double ours(OnnxEmbedder embedder, List<String> texts, int callSize) {
    embedder.embed(texts.subList(0, Math.min(32, texts.size()))); // warm-up
    long start = System.nanoTime();
    for (int i = 0; i < texts.size(); i += callSize) {
      embedder.embed(texts.subList(i, Math.min(texts.size(), i + callSize)));
    }
    return texts.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** ONNX Runtime alone: one session, {@code threads} callers, each running one text per call. */
  private static double rawOrt(List<String> texts, WordPieceTokenizer tokenizer, int threads) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    byte[] model;
    try (InputStream in = OnnxEmbedder.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-q.onnx")) {
      model = in.readAllBytes();
    }
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    try (OrtSession session = env.createSession(model, options)) {
      List<long[][]> inputs = new ArrayList<>();
      for (String t : texts) {
        int[] ids = tokenizer.encode(t);
        long[] idsL = new long[ids.length];
        long[] mask = new long[ids.length];
        for (int j = 0; j < ids.length; j++) {
          idsL[j] = ids[j];
          mask[j] = 1;
        }
        inputs.add(new long[][] {idsL, mask, new long[ids.length]});
      }
      boolean typeIds = session.getInputNames().contains("token_type_ids");
      Runnable warm = () -> run(env, session, inputs.get(0), typeIds);
      warm.run();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          futures.add(pool.submit(() -> {
            for (int i; (i = next.getAndIncrement()) < inputs.size(); ) {
              run(env, session, inputs.get(i), typeIds);
            }
          }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        return inputs.size() / ((System.nanoTime() - start) / 1e9);
      } finally {
        pool.shutdown();
      }
    }
  }

  private static void run(OrtEnvironment env, OrtSession session, long[][] in, boolean typeIds) {
    try (OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {in[0]});
        OnnxTensor mask = OnnxTensor.createTensor(env, new long[][] {in[1]});
        OnnxTensor types = OnnxTensor.createTensor(env, new long[][] {in[2]})) {
      Map<String, OnnxTensor> feed = typeIds
          ? Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types)
          : Map.of("input_ids", ids, "attention_mask", mask);
      try (OrtSession.Result r = session.run(feed)) {
        r.get(0);
      }
    } catch (ai.onnxruntime.OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
