package io.leann.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.bench.data.Dataset;
import io.leann.bench.data.RawArrays;
import io.leann.bench.process.Subprocess;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs the peers (hnswlib, FAISS HNSW) through {@code bench/peers/ann_peer.py} on Debian's
 * {@code /usr/bin/python3}, so they index the very vectors we index and answer the very queries we
 * answer: the harness writes train, test and ground-truth ids as raw little-endian files into a
 * scratch directory, the script builds with the same M, efConstruction and thread count, sweeps
 * the same ef values one query per call on one thread, and prints one JSON object that this class
 * turns into a {@link SystemRun}. A peer that outlives its deadline is killed by pid.
 */
final class PeerRunner {
  static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final String SCRIPT = "ann_peer.py";

  private final HarnessOptions options;
  private final Path script;
  private final Path dir;
  private final Dataset dataset;

  private PeerRunner(HarnessOptions options, Path script, Path dir, Dataset dataset) {
    this.options = options;
    this.script = script;
    this.dir = dir;
    this.dataset = dataset;
  }

  /**
   * Checks the interpreter and script, and writes the peers' inputs into {@code dir}.
   *
   * @throws IOException naming what is missing and how to install it
   */
  static PeerRunner prepare(HarnessOptions options, Dataset dataset, int[][] truth, Path dir)
      throws IOException {
    if (!Files.isExecutable(PYTHON)) {
      throw new IOException(PYTHON + " not found: the peers use Debian's Python and packages "
          + "(apt-get install python3 python3-numpy python3-hnswlib python3-faiss), or pass --peers none");
    }
    Path script = options.peerScript() != null ? options.peerScript() : scriptBesideJar();
    if (!Files.isRegularFile(script)) {
      throw new IOException("peer script " + script + " not found; pass --peer-script PATH");
    }
    RawArrays.writeFloats(dir.resolve("train.f32"), dataset.train());
    RawArrays.writeFloats(dir.resolve("test.f32"), dataset.test());
    int k = options.k();
    int[] flat = new int[truth.length * k];
    for (int q = 0; q < truth.length; q++) {
      System.arraycopy(truth[q], 0, flat, q * k, k);
    }
    RawArrays.writeInts(dir.resolve("gt.i32"), flat);
    return new PeerRunner(options, script, dir, dataset);
  }

  /** The jar lives in {@code bench/target/}; the script in {@code bench/peers/}. */
  private static Path scriptBesideJar() throws IOException {
    try {
      Path jar = Path.of(PeerRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return jar.toAbsolutePath().getParent().resolveSibling("peers").resolve(SCRIPT);
    } catch (URISyntaxException | SecurityException e) {
      throw new IOException("cannot locate " + SCRIPT + " beside the jar; pass --peer-script PATH", e);
    }
  }

  /** Runs one peer to completion and parses its report. */
  SystemRun run(String system) throws IOException {
    List<String> command = List.of(PYTHON.toString(), script.toString(),
        "--system", system,
        "--dir", dir.toString(),
        "--n", Integer.toString(dataset.trainSize()),
        "--nq", Integer.toString(dataset.testSize()),
        "--dims", Integer.toString(dataset.dims()),
        "--k", Integer.toString(options.k()),
        "--metric", dataset.metric().normalises() ? "cosine" : "l2",
        "--m", Integer.toString(options.m()),
        "--ef-construction", Integer.toString(options.efConstruction()),
        "--threads", Integer.toString(options.threads()),
        "--ef", Arrays.stream(options.efs()).mapToObj(Integer::toString)
            .collect(Collectors.joining(",")));
    Subprocess.Result result = Subprocess.run(command, options.peerTimeout());
    if (result.exitCode() != 0) {
      throw new IOException("peer " + system + " (pid " + result.pid() + ") failed with exit code "
          + result.exitCode() + "; its message is above");
    }
    return parse(system, result.stdout());
  }

  private static SystemRun parse(String system, String stdout) throws IOException {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(stdout);
    } catch (IOException e) {
      throw new IOException("peer " + system + " printed no JSON report: " + stdout.strip(), e);
    }
    if (json == null || !json.path("sweep").isArray()) {
      throw new IOException("peer " + system + " report has no sweep: " + stdout.strip());
    }
    List<SweepPoint> sweep = new ArrayList<>();
    for (JsonNode point : json.get("sweep")) {
      sweep.add(new SweepPoint(point.path("ef").asInt(), point.path("recall").asDouble(),
          point.path("qps").asDouble(), point.path("batch_qps").asDouble(Double.NaN)));
    }
    String name = system + " " + json.path("version").asText("?");
    return new SystemRun(name, json.path("build_seconds").asDouble(),
        json.path("index_bytes").asLong(), sweep, json.path("compile_options").asText("").strip());
  }
}
