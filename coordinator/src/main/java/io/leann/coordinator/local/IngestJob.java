package io.leann.coordinator.local;

import io.leann.coordinator.build.Progress;
import io.leann.protocol.api.JobStatus;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ingest job of the standalone service: queued, running through the build's stages, then
 * done or failed. Thread-safe: the ingest thread updates it while requests read it.
 *
 * <p>Progress comes from the build pipeline's {@link Progress}, which reports to a
 * {@link PrintWriter} only. {@link #progress()} hands it a writer that reads the lines it prints in
 * non-terminal mode ({@code [embed] started (40)}, {@code [embed] 12/40 (3.1/s, ETA 9s)},
 * {@code [embed] 40 chunks embedded ... in 2.0s}) back into stage, done and total, and logs them.
 */
final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);
  private static final Pattern STARTED = Pattern.compile("^\\[([^\\]]+)] started(?: \\((\\d+)\\))?$");
  private static final Pattern UPDATE = Pattern.compile("^\\[([^\\]]+)] (\\d+)(?:/(\\d+))? \\(.*/s.*\\)$");
  private static final Pattern FINISHED = Pattern.compile("^\\[([^\\]]+)] .* in [\\d.]+s$");

  private final String id;
  private final String index;
  private final long documents;
  private String state = "queued";
  private String stage;
  private long done;
  private long total;
  private String error;
  private Long passagesAdded;
  private Long passagesRemoved;

  /** A job adding {@code documents} documents, or with 0, deleting passages. */
  IngestJob(String id, String index, long documents) {
    this.id = id;
    this.index = index;
    this.documents = documents;
  }

  String id() {
    return id;
  }

  String index() {
    return index;
  }

  synchronized JobStatus status() {
    String result = passagesAdded == null ? null : JobStatus.describe(documents, passagesAdded, passagesRemoved);
    return new JobStatus(id, index, state, stage, done, total, error, documents, passagesAdded, passagesRemoved,
        result);
  }

  /** Queued or running: its index must not be deleted. */
  synchronized boolean active() {
    return state.equals("queued") || state.equals("running");
  }

  synchronized boolean failed() {
    return state.equals("failed");
  }

  synchronized void running() {
    state = "running";
  }

  /**
   * The new version of the index is committed and searchable; it went from {@code before} to
   * {@code after} passages. An API job only adds or only deletes documents, so the difference is
   * what it added or removed.
   */
  synchronized void finished(long before, long after) {
    state = "done";
    stage = "publish";
    done = after;
    total = after;
    passagesAdded = Math.max(0, after - before);
    passagesRemoved = Math.max(0, before - after);
  }

  synchronized void failed(String message) {
    state = "failed";
    error = message;
  }

  private synchronized void stage(String name, long units) {
    stage = name;
    done = 0;
    total = units;
  }

  private synchronized void update(long units, long of) {
    done = units;
    if (of > 0) {
      total = of;
    }
  }

  private synchronized void stageDone() {
    done = Math.max(done, total);
  }

  /** A {@link Progress} whose reports update this job. */
  Progress progress() {
    return new Progress(new PrintWriter(new LineReader(), true), false);
  }

  private void line(String line) {
    LOG.info("ingest {} ({}): {}", id, index, line);
    Matcher m = STARTED.matcher(line);
    if (m.matches()) {
      stage(m.group(1), m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
      return;
    }
    m = UPDATE.matcher(line);
    if (m.matches()) {
      update(Long.parseLong(m.group(2)), m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
      return;
    }
    if (FINISHED.matcher(line).matches()) {
      stageDone();
    }
  }

  /** Splits what Progress prints into lines. */
  private final class LineReader extends Writer {
    private final StringBuilder pending = new StringBuilder();

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        char c = buf[i];
        if (c == '\n') {
          String l = pending.toString().strip();
          pending.setLength(0);
          if (!l.isEmpty()) {
            line(l);
          }
        } else {
          pending.append(c);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
