package io.leann.coordinator.build;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What a build was made from: each source file's content hash and the passage rows its chunks
 * occupy, plus a fingerprint of every setting that changes passages or vectors. The next build
 * reuses the rows (and cached embeddings) of files whose hash is unchanged; a changed fingerprint
 * means nothing can be reused.
 *
 * @param fingerprint settings that determine passages and embeddings (reuse needs them equal)
 * @param graph settings that determine only the graphs (a change there rebuilds the graphs)
 * @param files absolute path to its entry, in build order
 * @param buildArgs the {@code leann build} arguments that made the index, for {@code leann watch}
 * @param apiRows the passage rows of documents that came in over the API, in row order: a source
 *     of the index as much as the files are, carried into every later build (null reads as none)
 * @param ingestedJobs the ids of the last {@value #KEPT_JOB_IDS} jobs of the index's {@link IngestLog}
 *     applied up to this generation, oldest first (null reads as none), carried into every later
 *     build, so that a replayed job is applied once whatever order jobs ran in
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
    @JsonProperty("fingerprint") String fingerprint,
    @JsonProperty("graph") String graph,
    @JsonProperty("files") LinkedHashMap<String, FileEntry> files,
    @JsonProperty("build_args") List<String> buildArgs,
    @JsonProperty("api_rows") List<Rows> apiRows,
    @JsonProperty("ingested_jobs") List<String> ingestedJobs) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param hash the first {@value #HASH_CHARS} hex digits of the SHA-256 of the file's bytes (longer
   *     hashes, as older manifests hold, are cut to that): 64 bits tell a changed file from an
   *     unchanged one as surely as 256, in a quarter of the manifest's bytes
   * @param firstRow first passage row of its chunks
   * @param count number of chunks
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record FileEntry(
      @JsonProperty("hash") String hash,
      @JsonProperty("first_row") long firstRow,
      @JsonProperty("count") int count) {
    public static final int HASH_CHARS = 16;

    public FileEntry {
      hash = hash.length() > HASH_CHARS ? hash.substring(0, HASH_CHARS) : hash;
    }

    /** Whether a file with this SHA-256 (hex) has the content this entry was made from. */
    public boolean sameContent(String contentHash) {
      return hash.equals(new FileEntry(contentHash, 0, 0).hash);
    }
  }

  public Manifest {
    apiRows = apiRows == null ? List.of() : List.copyOf(apiRows);
    ingestedJobs = ingestedJobs == null ? List.of() : List.copyOf(ingestedJobs);
  }

  /** How many applied job ids a manifest keeps: far more than a log holds unapplied. */
  static final int KEPT_JOB_IDS = 1000;

  /**
   * A run of passage rows.
   *
   * @param firstRow the first row
   * @param count how many rows
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Rows(@JsonProperty("first_row") long firstRow, @JsonProperty("count") long count) {}

  /** How many passages came in over the API. */
  public long apiRowCount() {
    return apiRows.stream().mapToLong(Rows::count).sum();
  }

  /**
   * The manifest of a generation an ingest job made from {@code previous} (null when that one had
   * none: its rows then came from no file build this index knows, and count as API rows): the
   * previous rows the job kept, in order, then {@code added} new rows from the API. A file keeps its
   * entry when all its rows were kept; a file that lost some rows to a deletion loses its entry, so
   * the next build chunks it again.
   *
   * @param kept the previous rows kept; new row {@code i < kept.size()} was previous row {@code kept.get(i)}
   * @param job the id of the job in the index's {@link IngestLog}
   */
  public static Manifest afterIngest(Manifest previous, long previousRows, LongList kept, long added, String job) {
    Manifest from = previous != null ? previous : new Manifest("", null, new LinkedHashMap<>(), null,
        previousRows == 0 ? List.of() : List.of(new Rows(0, previousRows)), null);
    LinkedHashMap<String, FileEntry> files = new LinkedHashMap<>();
    for (Map.Entry<String, FileEntry> e : from.files.entrySet()) {
      FileEntry f = e.getValue();
      int at = indexOf(kept, f.firstRow());
      if (at >= 0 && (f.count() == 0 || (at + f.count() - 1 < kept.size()
          && kept.get(at + f.count() - 1) == f.firstRow() + f.count() - 1))) {
        files.put(e.getKey(), new FileEntry(f.hash(), at, f.count()));
      }
    }
    List<Rows> api = new ArrayList<>();
    for (Rows run : from.apiRows) {
      for (long r = run.firstRow(); r < run.firstRow() + run.count(); r++) {
        int at = indexOf(kept, r);
        if (at >= 0) {
          append(api, at, 1);
        }
      }
    }
    append(api, kept.size(), added);
    List<String> jobs = new ArrayList<>(from.ingestedJobs);
    jobs.add(job);
    return new Manifest(from.fingerprint, from.graph, files, from.buildArgs, api,
        jobs.subList(Math.max(0, jobs.size() - KEPT_JOB_IDS), jobs.size()));
  }

  private static void append(List<Rows> runs, long first, long count) {
    if (count == 0) {
      return;
    }
    Rows last = runs.isEmpty() ? null : runs.getLast();
    if (last != null && last.firstRow() + last.count() == first) {
      runs.set(runs.size() - 1, new Rows(last.firstRow(), last.count() + count));
    } else {
      runs.add(new Rows(first, count));
    }
  }

  /** Position of {@code row} in the ascending {@code rows}, or -1. */
  private static int indexOf(LongList rows, long row) {
    int lo = 0;
    int hi = rows.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      long v = rows.get(mid);
      if (v < row) {
        lo = mid + 1;
      } else if (v > row) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /**
   * The ids of the ingest jobs the committed generation ({@code meta}) of the index in {@code dir}
   * applied ({@link #ingestedJobs()}); none when it has no manifest.
   */
  public static List<String> ingestedJobs(Path dir, IndexMeta meta) throws IOException {
    Path file = dir.resolve(meta.passageSources().get(0).path()).getParent().resolve(IndexLayout.MANIFEST);
    return Files.isRegularFile(file) ? read(file).ingestedJobs() : List.of();
  }

  /** Reads a manifest, gzip-compressed or (as older builds wrote it) plain. */
  public static Manifest read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        return JSON.readValue(in, Manifest.class);
      }
    }
    return JSON.readValue(bytes, Manifest.class);
  }

  /**
   * Writes the manifest gzip-compressed: with one entry per source file it is, uncompressed, about
   * 3% of a stored-vector index of short files, more than a pruned index's graph.
   */
  public void write(Path file) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (OutputStream gzip = new GZIPOutputStream(buffer)) {
      JSON.writeValue(gzip, this);
    }
    AtomicFiles.write(file, buffer.toByteArray());
  }

  /**
   * Whether {@code other} describes the same files with the same contents and the same API rows
   * under the same settings.
   */
  public boolean sameAs(Manifest other) {
    if (!fingerprint.equals(other.fingerprint) || !Objects.equals(graph, other.graph)
        || files.size() != other.files.size() || !apiRows.equals(other.apiRows)) {
      return false;
    }
    for (Map.Entry<String, FileEntry> e : files.entrySet()) {
      FileEntry o = other.files.get(e.getKey());
      if (o == null || !o.hash().equals(e.getValue().hash())) {
        return false;
      }
    }
    return true;
  }
}
