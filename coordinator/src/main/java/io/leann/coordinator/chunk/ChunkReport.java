package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Totals over a build's chunking, and a summary of fallbacks so none goes unreported (for example
 * "AST chunking not available for python; used line windows (12 files)").
 *
 * <p>Thread-safe: documents chunked in parallel may be recorded concurrently.
 */
public final class ChunkReport {

  private record Group(ChunkWarning.Kind kind, String language) {
  }

  private int documents;
  private int emptyDocuments;
  private long chunks;
  private final List<ChunkWarning> warnings = new ArrayList<>();

  /** Records the outcome of chunking one document. */
  public synchronized void record(ChunkResult result) {
    documents++;
    if (result.chunks().isEmpty()) {
      emptyDocuments++;
    }
    chunks += result.chunks().size();
    warnings.addAll(result.warnings());
  }

  /** Documents recorded. */
  public synchronized int documents() {
    return documents;
  }

  /** Documents that yielded no chunk (empty or blank text, e.g. a scanned PDF without text layer). */
  public synchronized int emptyDocuments() {
    return emptyDocuments;
  }

  /** Chunks produced. */
  public synchronized long chunks() {
    return chunks;
  }

  /** Every warning, in recording order. */
  public synchronized List<ChunkWarning> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * One line per kind of fallback and language, with the number of files, sorted; parse failures
   * name their files (up to three).
   */
  public synchronized List<String> summary() {
    Map<Group, List<ChunkWarning>> groups = new TreeMap<>(
        Comparator.comparing(Group::kind).thenComparing(Group::language));
    for (ChunkWarning w : warnings) {
      groups.computeIfAbsent(new Group(w.kind(), w.language()), k -> new ArrayList<>()).add(w);
    }
    List<String> lines = new ArrayList<>();
    for (List<ChunkWarning> group : groups.values()) {
      ChunkWarning first = group.getFirst();
      String files = group.size() + (group.size() == 1 ? " file" : " files");
      lines.add(switch (first.kind()) {
        case AST_UNSUPPORTED ->
            "AST chunking not available for " + first.language() + "; used line windows (" + files + ")";
        case AST_PARSE_FAILED -> "AST parsing failed for " + files + " in " + first.language()
            + "; used line windows: " + String.join("; ", group.stream().limit(3).map(ChunkWarning::message).toList())
            + (group.size() > 3 ? "; ..." : "");
      });
    }
    return lines;
  }
}
