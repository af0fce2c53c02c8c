package io.leann.coordinator.local;

import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.search.IndexSearcher;
import io.leann.shard.index.IndexDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Open {@link IndexSearcher}s, one per index, shared by concurrent searches.
 *
 * <p>Why leases: a searcher maps the index files and holds an embedder; closing it while a search
 * runs on it would pull the memory out from under that search. A searcher is therefore closed only
 * when it has been retired (index deleted, rebuilt or the cache closed) <em>and</em> its last lease
 * is returned. While open it holds an {@link IndexDirectory.Lease} on its generation, so no commit
 * (an API ingest here, or {@code leann build} in another process) deletes the files it reads.
 *
 * <p>Why the meta file decides freshness: a build (an API ingest job, or {@code leann build} run
 * next to the server) commits by replacing {@code documents.leann.meta.json} atomically. Each
 * {@link #acquire} compares the file's identity and modification time with those of the opened
 * searcher (one {@code stat}) and reopens on a change, so searches see a new version as soon as it
 * is committed and never a half-built one.
 *
 * <p>Thread-safe. Opening happens under the cache's lock, so a search of another index waits while
 * one index opens (a model load, about a second); opening is rare (first use, after a build).
 */
final class SearcherCache implements AutoCloseable {
  private final Map<String, String> env;
  private final Map<String, Entry> entries = new HashMap<>();

  SearcherCache(Map<String, String> env) {
    this.env = env;
  }

  private static final class Entry {
    final IndexSearcher searcher;
    final Object version;
    /** Keeps the searcher's generation on disk against commits here and in other processes. */
    final IndexDirectory.Lease lease;
    int users;
    boolean retired;

    Entry(IndexSearcher searcher, Object version, IndexDirectory.Lease lease) {
      this.searcher = searcher;
      this.version = version;
      this.lease = lease;
    }
  }

  /** A searcher in use; close the lease when the search is done. */
  final class Lease implements AutoCloseable {
    private final Entry entry;
    private boolean released;

    private Lease(Entry entry) {
      this.entry = entry;
    }

    IndexSearcher searcher() {
      return entry.searcher;
    }

    @Override
    public void close() {
      synchronized (SearcherCache.this) {
        if (!released) {
          released = true;
          entry.users--;
          closeIfIdle(entry);
        }
      }
    }
  }

  /**
   * A searcher over the committed version of the index in {@code layout}.
   *
   * @throws java.nio.file.NoSuchFileException if the index has no meta file
   */
  synchronized Lease acquire(IndexLayout layout) throws IOException {
    String name = layout.name();
    Object version = version(layout);
    Entry entry = entries.get(name);
    if (entry != null && !entry.version.equals(version)) {
      retire(name);
      entry = null;
    }
    if (entry == null) {
      entry = open(layout, version);
      entries.put(name, entry);
    }
    entry.users++;
    return new Lease(entry);
  }

  /** Forgets the searcher of {@code name}; it closes once its last search is done. */
  synchronized void retire(String name) {
    Entry entry = entries.remove(name);
    if (entry != null) {
      entry.retired = true;
      closeIfIdle(entry);
    }
  }

  @Override
  public synchronized void close() {
    for (String name : new ArrayList<>(entries.keySet())) {
      retire(name);
    }
  }

  private static void closeIfIdle(Entry entry) {
    if (entry.retired && entry.users == 0) {
      try {
        entry.searcher.close();
      } finally {
        entry.lease.close();
      }
    }
  }

  /**
   * Opens a searcher holding a lease on the generation it reads. The committed generation is leased
   * before the meta is read, so a commit in between cannot delete it; if the searcher opened a newer
   * one (committed meanwhile), the lease moves to that.
   */
  private Entry open(IndexLayout layout, Object version) throws IOException {
    IndexDirectory owner = IndexDirectory.of(layout.dir());
    IndexDirectory.Lease lease = owner.acquire(owner.committedGeneration());
    IndexSearcher searcher;
    try {
      searcher = IndexSearcher.open(layout, env);
    } catch (IOException | RuntimeException e) {
      lease.close();
      throw e;
    }
    int opened = IndexDirectory.generationOf(searcher.index().meta());
    if (opened != lease.generation()) {
      IndexDirectory.Lease moved = owner.acquire(opened);
      lease.close();
      lease = moved;
    }
    return new Entry(searcher, version, lease);
  }

  /** Identity and modification time of the meta file: a rename-replace changes both. */
  private static Object version(IndexLayout layout) throws IOException {
    BasicFileAttributes a = Files.readAttributes(layout.meta(), BasicFileAttributes.class);
    return List.of(Objects.toString(a.fileKey()), a.lastModifiedTime(), a.size());
  }
}
