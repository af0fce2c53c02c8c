package io.leann.bench.data;

import io.leann.coordinator.chunk.Chunk;
import io.leann.coordinator.chunk.Chunker;
import io.leann.coordinator.chunk.ChunkingOptions;
import io.leann.coordinator.ingest.Document;
import io.leann.coordinator.ingest.FileType;
import io.leann.embed.onnx.OnnxEmbedder;
import io.leann.protocol.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A text-embedding data set from real text on this machine: the Debian package documentation
 * ({@code /usr/share/doc}: copyright files, changelogs, READMEs, plain or gzipped) and
 * {@code /usr/share/common-licenses}, chunked as {@code leann build} chunks prose
 * ({@link ChunkingOptions#defaults()}: 256-token windows, 128 overlap) and embedded with the
 * default embedder, all-MiniLM-L6-v2 ({@link OnnxEmbedder}, 384-d, unit vectors, cosine).
 *
 * <p>Selection: files in path order, at most {@value #PASSAGES_PER_FILE} passages from each (so a
 * few long changelogs do not make up the set), exact duplicate texts dropped (recall is counted by
 * id, and among identical vectors any id is as right as another); then a
 * {@code java.util.Random(}{@value #SEED}{@code )} shuffle and the first {@value #TOTAL}: the first
 * {@value #QUERY_COUNT} are the held-out queries, the rest the train set. Near-duplicates (the same
 * licence under different headers) stay, as in a real corpus.
 *
 * <p>The embeddings are cached in the data directory as one raw float32 file (queries first), so
 * the set is embedded once per machine; the set depends on the packages installed, so another
 * machine builds a different (equally real) set.
 */
final class DocPassages {
  static final String NAME = "doc-passages";
  static final int TOTAL = 12_000;
  static final int QUERY_COUNT = 1_000;
  static final int PASSAGES_PER_FILE = 6;
  static final long SEED = 42L;
  private static final int DIMS = OnnxEmbedder.DIMENSIONS;
  private static final long MAX_FILE_BYTES = 4L << 20;
  private static final List<Path> SOURCES =
      List.of(Path.of("/usr/share/common-licenses"), Path.of("/usr/share/doc"));
  private static final int EMBED_CALL = 256;

  private DocPassages() {}

  static Dataset load(Path dataDir) throws IOException {
    Path cache = dataDir.resolve(NAME + "-minilm-" + TOTAL + ".f32");
    if (!Files.isRegularFile(cache)) {
      build(dataDir, cache);
    }
    float[] all = RawArrays.readCache(cache, DIMS, QUERY_COUNT);
    float[] test = Arrays.copyOf(all, QUERY_COUNT * DIMS);
    float[] train = Arrays.copyOfRange(all, QUERY_COUNT * DIMS, all.length);
    return new Dataset(NAME, Metric.COSINE, DIMS, train, test);
  }

  private static void build(Path dataDir, Path cache) throws IOException {
    List<String> passages = passages();
    if (passages.size() <= QUERY_COUNT) {
      throw new IOException("only " + passages.size() + " passages under " + SOURCES
          + ": too few for " + QUERY_COUNT + " queries and a train set");
    }
    System.err.printf("%s: embedding %d passages with %s ...%n", NAME, passages.size(),
        OnnxEmbedder.MODEL_ID);
    float[] vectors = new float[passages.size() * DIMS];
    long start = System.nanoTime();
    try (OnnxEmbedder embedder = OnnxEmbedder.create(Runtime.getRuntime().availableProcessors())) {
      for (int from = 0; from < passages.size(); from += EMBED_CALL) {
        List<String> call = passages.subList(from, Math.min(passages.size(), from + EMBED_CALL));
        float[][] rows = embedder.embed(call);
        for (int i = 0; i < rows.length; i++) {
          System.arraycopy(rows[i], 0, vectors, (from + i) * DIMS, DIMS);
        }
        System.err.printf("  embedded %d/%d, %.0f s%n", from + rows.length, passages.size(),
            (System.nanoTime() - start) / 1e9);
      }
    }
    Files.createDirectories(dataDir);
    RawArrays.writeCache(cache, vectors);
  }

  /** The selected passage texts, queries first. */
  static List<String> passages() throws IOException {
    Chunker chunker = new Chunker(ChunkingOptions.defaults());
    Set<String> unique = new LinkedHashSet<>();
    for (Path file : textFiles()) {
      String text = readText(file);
      if (text == null || text.isBlank()) {
        continue;
      }
      Document doc = new Document(file, file.toString(), text, FileType.of("passage.txt"),
          Instant.EPOCH, text.length(), "", "", List.of());
      List<Chunk> chunks = chunker.chunk(doc).chunks();
      for (int i = 0; i < Math.min(PASSAGES_PER_FILE, chunks.size()); i++) {
        unique.add(chunks.get(i).text());
      }
    }
    List<String> all = new ArrayList<>(unique);
    Collections.shuffle(all, new Random(SEED));
    return List.copyOf(all.subList(0, Math.min(TOTAL, all.size())));
  }

  private static List<Path> textFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path root : SOURCES) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p)).sorted().forEach(files::add);
      }
    }
    return files;
  }

  /** The file's text (gunzipped for {@code .gz}), or null if it is binary, too big or not UTF-8. */
  private static String readText(Path file) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      return null;
    }
    byte[] bytes;
    if (file.getFileName().toString().endsWith(".gz")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
        bytes = in.readNBytes((int) MAX_FILE_BYTES);
      } catch (IOException e) {
        return null; // a damaged or non-gzip file is not text we can use
      }
    } else {
      bytes = Files.readAllBytes(file);
    }
    for (byte b : bytes) {
      if (b == 0) {
        return null;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString()
          .replace("\r\n", "\n");
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
