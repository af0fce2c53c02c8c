package io.leann.coordinator.build;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log of an index's API jobs, {@code <index>/wal/ingest.log}: a job's documents
 * (or its deletion filter) are appended and fsynced before the API answers 202, and the job's end
 * is appended when it is over. What a log holds after a crash is replayed: a job with no end
 * record is run again on the next start ({@link #pending()}), and ended jobs stay visible with their
 * outcome ({@link #ended()}), so jobs survive a restart.
 *
 * <p>Exactly once: the generation that applies a job records the job's id in its manifest
 * ({@link Manifest#ingestedJobs()}), committed atomically with the passages. A job the committed
 * manifest names (the process died between the commit and the end record) is not applied again.
 * Sequence numbers only order the log.
 *
 * <p>Format: records of {@code u32 length | u32 CRC32C | JSON}, little-endian. A record cut short at
 * the end of the file (a crash mid-append) is dropped with a warning naming the file and the
 * offset, and cut off before the next append; a record whose checksum fails anywhere else is
 * corruption, reported as an {@link IndexFormatException} naming the file. When the log grows past
 * {@value #COMPACT_BYTES} bytes it is rewritten atomically with the pending jobs and the ends of
 * the last {@value #KEPT_ENDED} jobs.
 *
 * <p>Thread-safe, and safe for several processes on one shared index directory: every read and
 * append holds the log's file lock (and a lock per path within this JVM) and first reads what
 * other writers appended.
 */
public final class IngestLog {
  private static final Logger LOG = LoggerFactory.getLogger(IngestLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Directory under the index directory; outside generations, so commits never touch it. */
  public static final String DIR = "wal";
  static final String FILE = "ingest.log";
  private static final String LOCK = "ingest.lock";
  private static final int HEADER = 8;
  private static final int MAX_RECORD = 256 << 20;
  static final long COMPACT_BYTES = 8L << 20;
  static final int KEPT_ENDED = 1000;
  /** One monitor per log file in this JVM: a FileLock is held per process, not per thread. */
  private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

  /**
   * A job as its first record states it.
   *
   * @param seq position of the job in the index's log, from 1
   * @param job the job's id
   * @param created wall-clock milliseconds when it was accepted
   * @param documents the documents it adds; empty for a deletion
   * @param deleteFilter the metadata filter of a deletion (request shape); null for an addition
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Job(
      @JsonProperty("seq") long seq,
      @JsonProperty("job") String job,
      @JsonProperty("created") long created,
      @JsonProperty("documents") List<DocumentIn> documents,
      @JsonProperty("delete_filter") Map<String, Object> deleteFilter) {
    public Job {
      documents = documents == null ? List.of() : List.copyOf(documents);
    }
  }

  /**
   * How a job ended.
   *
   * @param seq the job's sequence number
   * @param job the job's id
   * @param created when it was accepted
   * @param documents documents it added
   * @param state done or failed
   * @param error why it failed, else null
   * @param passages passages of the index after it, when done
   * @param added passages it added, when done
   * @param removed passages it removed, when done
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record End(
      @JsonProperty("seq") long seq,
      @JsonProperty("job") String job,
      @JsonProperty("created") long created,
      @JsonProperty("documents") long documents,
      @JsonProperty("state") String state,
      @JsonProperty("error") String error,
      @JsonProperty("passages") Long passages,
      @JsonProperty("added") Long added,
      @JsonProperty("removed") Long removed) {}

  /** One record: a job's start ({@code job} set) or its end ({@code end} set). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Entry(@JsonProperty("start") Job start, @JsonProperty("end") End end) {}

  private final Path file;
  private final Object monitor;
  private final LinkedHashMap<Long, Job> pending = new LinkedHashMap<>();
  private final LinkedHashMap<Long, End> ended = new LinkedHashMap<>();
  private long lastSeq;
  /** How far this instance has read, and in which file (a compaction replaces the file). */
  private long readTo;
  private Object fileKey;

  private IngestLog(Path file) {
    this.file = file;
    this.monitor = MONITORS.computeIfAbsent(file, f -> new Object());
  }

  /** The log of the index in {@code indexDir} (created on the first append). */
  public static IngestLog of(Path indexDir) {
    return new IngestLog(indexDir.toAbsolutePath().normalize().resolve(DIR).resolve(FILE));
  }

  /** Whether {@code indexDir} has a log. */
  public static boolean exists(Path indexDir) {
    return Files.isRegularFile(indexDir.resolve(DIR).resolve(FILE));
  }

  public Path file() {
    return file;
  }

  /** Appends and syncs a job that adds {@code documents}; durable when this returns. */
  public Job appendDocuments(String job, long created, List<DocumentIn> documents) throws IOException {
    return append(seq -> new Job(seq, job, created, documents, null));
  }

  /** Appends and syncs a job that deletes the passages matching {@code filter}; durable when this returns. */
  public Job appendDelete(String job, long created, Map<String, Object> filter) throws IOException {
    return append(seq -> new Job(seq, job, created, List.of(), Objects.requireNonNull(filter)));
  }

  /** Appends and syncs the end of a job; nothing when the log is gone (its index was deleted). */
  public void end(End end) throws IOException {
    if (!Files.isRegularFile(file)) {
      LOG.info("ingest log {} is gone (index deleted?): the end of job {} is not logged", file, end.job());
      return;
    }
    locked(ch -> {
      write(ch, new Entry(null, end));
      pending.remove(end.seq());
      ended.put(end.seq(), end);
      if (ch.size() > COMPACT_BYTES) {
        compact();
      }
      return null;
    });
  }

  /** Jobs accepted and not ended, in order. */
  public List<Job> pending() throws IOException {
    return locked(ch -> List.copyOf(pending.values()));
  }

  /** Ends of jobs, oldest first (at most the last {@value #KEPT_ENDED} after a compaction). */
  public List<End> ended() throws IOException {
    return locked(ch -> List.copyOf(ended.values()));
  }

  private interface JobAt {
    Job at(long seq);
  }

  private Job append(JobAt make) throws IOException {
    return locked(ch -> {
      Job job = make.at(lastSeq + 1);
      write(ch, new Entry(job, null));
      lastSeq = job.seq();
      pending.put(job.seq(), job);
      return job;
    });
  }

  private interface LockedBody<T> {
    T run(FileChannel log) throws IOException;
  }

  /**
   * Runs {@code body} holding this JVM's monitor of the log and the lock file's lock (a file that
   * is never replaced, so a compaction cannot strand a writer on an unlinked file), after reading
   * what other writers appended.
   */
  private <T> T locked(LockedBody<T> body) throws IOException {
    synchronized (monitor) {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        AtomicFiles.syncDirectory(dir.getParent());
      }
      try (FileChannel lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
          FileLock lock = lockFile.lock()) {
        boolean fresh = !Files.exists(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
          if (fresh) {
            AtomicFiles.syncDirectory(dir);
          }
          refresh(ch);
          return body.run(ch);
        }
      }
    }
  }

  /** Reads what was appended since this instance last read; cuts off a torn last record. Under the locks. */
  private void refresh(FileChannel ch) throws IOException {
    Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    if (key == null || !key.equals(fileKey)) {
      pending.clear();
      ended.clear();
      lastSeq = 0;
      readTo = 0;
      fileKey = key;
    }
    long size = ch.size();
    ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    long at = readTo;
    while (at < size) {
      if (size - at < HEADER) {
        truncateTorn(ch, at, "a record header of " + (size - at) + " bytes");
        return;
      }
      header.clear();
      readFully(ch, header, at);
      int length = header.getInt(0);
      int crc = header.getInt(4);
      if (length <= 0 || length > MAX_RECORD) {
        throw new IndexFormatException(file, "record at byte " + at + " has an impossible length " + length);
      }
      if (size - at - HEADER < length) {
        truncateTorn(ch, at, "a record of " + length + " bytes with " + (size - at - HEADER) + " written");
        return;
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      readFully(ch, body, at + HEADER);
      CRC32C check = new CRC32C();
      check.update(body.array());
      if ((int) check.getValue() != crc) {
        if (at + HEADER + length == size) {
          truncateTorn(ch, at, "a last record whose checksum fails");
          return;
        }
        throw new IndexFormatException(file, "record at byte " + at + " fails its checksum");
      }
      apply(JSON.readValue(body.array(), Entry.class), at);
      at += HEADER + length;
    }
    readTo = at;
  }

  private void apply(Entry e, long at) throws IndexFormatException {
    if (e.start() != null) {
      pending.put(e.start().seq(), e.start());
      lastSeq = Math.max(lastSeq, e.start().seq());
    } else if (e.end() != null) {
      pending.remove(e.end().seq());
      ended.put(e.end().seq(), e.end());
      lastSeq = Math.max(lastSeq, e.end().seq());
    } else {
      throw new IndexFormatException(file, "record at byte " + at + " is neither a job nor its end");
    }
  }

  private void truncateTorn(FileChannel ch, long at, String what) throws IOException {
    LOG.warn("ingest log {}: {} at byte {} was cut short by a crash; the request it belongs to was never"
        + " answered with 202, so it is dropped", file, what, at);
    ch.truncate(at);
    ch.force(true);
    readTo = at;
  }

  private void write(FileChannel ch, Entry entry) throws IOException {
    ByteBuffer record = ByteBuffer.wrap(encode(entry));
    long at = ch.size();
    while (record.hasRemaining()) {
      at += ch.write(record, at);
    }
    ch.force(true);
    readTo = at;
  }

  /** Rewrites the log atomically with the pending jobs and the last ended ones. Under the locks. */
  private void compact() throws IOException {
    List<End> ends = new ArrayList<>(ended.values());
    List<End> kept = ends.subList(Math.max(0, ends.size() - KEPT_ENDED), ends.size());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Job job : pending.values()) {
      out.write(encode(new Entry(job, null)));
    }
    for (End end : kept) {
      out.write(encode(new Entry(null, end)));
    }
    AtomicFiles.write(file, out.toByteArray());
    // The next access reads the new file from its start.
    fileKey = null;
  }

  private static byte[] encode(Entry entry) throws IOException {
    byte[] body = JSON.writeValueAsBytes(entry);
    CRC32C crc = new CRC32C();
    crc.update(body);
    return ByteBuffer.allocate(HEADER + body.length).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(body.length).putInt((int) crc.getValue()).put(body).array();
  }

  private static void readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
    while (into.hasRemaining()) {
      int n = ch.read(into, at + into.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }
}
