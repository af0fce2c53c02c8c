package io.leann.shard.index;

import io.leann.protocol.index.IndexMeta;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The one owner of an index directory: its generations ({@code gen-N/}), the writer lock, the
 * commit and the retirement of old generations. Every host goes through it: the CLI build, the
 * cluster's ingest jobs and the shard actors that read a generation.
 *
 * <p>Commit: a writer stages a whole generation in a fresh {@code gen-N/} (N one above every
 * number on disk) and commits it by replacing the meta file atomically; the meta names its
 * generation's files, so readers see the old generation or the new one, never a mix. A writer
 * that ends without committing leaves nothing behind.
 *
 * <p>Writer lock: {@code .build.lock} in the directory, held as an OS file lock (other processes)
 * and as an in-JVM lock (the OS lock is per process: a CLI build and a server in one JVM would
 * otherwise both get it). Taking it removes what killed writers left: meta temp files and
 * generations numbered above the committed one.
 *
 * <p>Readers and retirement: a reader holds a {@link Lease} on the generation it reads. Leases are
 * counted in this JVM, and the first one of a generation also takes a shared OS lock on its
 * {@code gen-N/.readers} file, so another process (a CLI build next to a running server, or the
 * other way round) sees it too. A commit deletes every older generation except the one it replaces
 * and those leased here or elsewhere (it must get the exclusive lock on {@code .readers} to delete);
 * a generation retired while leased here is deleted with its last lease, one leased by another
 * process by the first commit after that process lets go. The replaced generation is kept until
 * the next commit anyway: a process that has read the meta but not yet taken its lease still finds
 * its files.
 *
 * <p>Thread-safe. One instance per directory per JVM ({@link #of}).
 */
public final class IndexDirectory {
  /** LEANN's meta file name, the commit point. */
  public static final String META = "documents.leann.meta.json";
  /** The writer lock file. */
  public static final String LOCK = ".build.lock";
  /** The file in a generation directory that readers lock shared and a deleting writer exclusively. */
  public static final String READERS = ".readers";
  private static final Pattern GENERATION = Pattern.compile("gen-(\\d{1,9})");
  private static final Map<Path, IndexDirectory> OPEN = new ConcurrentHashMap<>();

  private final Path dir;
  /** The in-JVM half of the writer lock; not reentrant: a second writer on one thread is refused too. */
  private final Semaphore writerInJvm = new Semaphore(1);
  /** Leases per generation; guarded by {@code this}. */
  private final Map<Integer, Integer> leases = new HashMap<>();
  /** Generations a commit retired while leased; deleted when their last lease goes. Guarded by {@code this}. */
  private final Set<Integer> retired = new HashSet<>();
  /** The shared OS lock this JVM's readers hold per leased generation; guarded by {@code this}. */
  private final Map<Integer, FileChannel> readerLocks = new HashMap<>();

  private IndexDirectory(Path dir) {
    this.dir = dir;
  }

  /** The owner of the index directory {@code dir}, shared by everything in this JVM. */
  public static IndexDirectory of(Path dir) {
    return OPEN.computeIfAbsent(dir.toAbsolutePath().normalize(), IndexDirectory::new);
  }

  public Path dir() {
    return dir;
  }

  public Path meta() {
    return dir.resolve(META);
  }

  /** The directory name of generation {@code gen}. */
  public static String generationName(int gen) {
    return "gen-" + gen;
  }

  /** The number of a generation directory name ({@code gen-N}), or -1 if it is not one. */
  public static int parseGeneration(String name) {
    Matcher m = GENERATION.matcher(name);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /**
   * The generation {@code meta} commits, read from the directory its passages are in; -1 when they
   * are not in a generation directory (an index registered in place by an import).
   */
  public static int generationOf(IndexMeta meta) {
    String path = meta.passageSources().get(0).path();
    int slash = path.indexOf('/');
    return slash < 0 ? -1 : parseGeneration(path.substring(0, slash));
  }

  /** The generation the meta file commits: 0 when there is no meta file, -1 when it cannot be read. */
  public int committedGeneration() {
    if (!Files.isRegularFile(meta())) {
      return 0;
    }
    try {
      return generationOf(IndexMeta.read(meta()));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Takes the writer lock.
   *
   * @param wait whether to wait for another writer to finish; without it a held lock is an error
   * @throws IOException naming the index when {@code wait} is false and another writer holds it
   */
  public Writer lock(boolean wait) throws IOException {
    Files.createDirectories(dir);
    if (wait) {
      writerInJvm.acquireUninterruptibly();
    } else if (!writerInJvm.tryAcquire()) {
      throw busy();
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = wait ? channel.lock() : channel.tryLock();
      if (lock == null) {
        throw busy();
      }
      Writer writer = new Writer(channel);
      removeLeftovers();
      return writer;
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      writerInJvm.release();
      throw e;
    }
  }

  private IOException busy() {
    return new IOException("another build of index '" + dir.getFileName() + "' is running");
  }

  /**
   * Removes what writers killed before their commit left: meta temp files and generation
   * directories numbered above the committed one (a writer stages the next number, so none of
   * them was ever committed). With a meta file that cannot be read, only the temp files go: its
   * generation cannot be told apart. Runs under the writer lock only.
   */
  private void removeLeftovers() throws IOException {
    int committed = committedGeneration();
    String metaTemp = META + ".tmp-";
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith(metaTemp)) {
          Files.deleteIfExists(p);
        } else if (committed >= 0 && parseGeneration(n) > committed) {
          deleteTree(p);
        }
      }
    }
  }

  private int highestGeneration() throws IOException {
    int max = 0;
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        max = Math.max(max, parseGeneration(p.getFileName().toString()));
      }
    }
    return max;
  }

  /**
   * A lease on generation {@code gen} for a reader in this JVM: the generation's files stay on
   * disk until it is closed. A negative {@code gen} (no generation directory) leases nothing.
   */
  public Lease acquire(int gen) {
    synchronized (this) {
      if (gen >= 0 && leases.merge(gen, 1, Integer::sum) == 1) {
        readerLocks.put(gen, sharedLock(gen));
      }
    }
    return new Lease(gen);
  }

  /**
   * The shared lock that tells other processes generation {@code gen} is being read, or null when
   * it cannot be taken (the generation is gone: opening its files fails with a clear error then).
   */
  private FileChannel sharedLock(int gen) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(dir.resolve(generationName(gen)).resolve(READERS), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      // Blocks only while a writer holds the exclusive lock to delete this generation.
      channel.lock(0, Long.MAX_VALUE, true);
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      return null;
    }
  }

  /** How many leases generation {@code gen} has in this JVM. */
  public synchronized int leases(int gen) {
    return leases.getOrDefault(gen, 0);
  }

  private void release(int gen) {
    synchronized (this) {
      int left = leases.merge(gen, -1, Integer::sum);
      if (left > 0) {
        return;
      }
      leases.remove(gen);
      closeQuietly(readerLocks.remove(gen));
      if (retired.remove(gen)) {
        // A generation that cannot be deleted now (read elsewhere, or an I/O error) is retired
        // again by the next commit.
        deleteUnlessRead(dir.resolve(generationName(gen)));
      }
    }
  }

  /**
   * Deletes generation directory {@code genDir} unless another process holds a shared lock on its
   * {@code .readers} file; true if it is gone. Called under this instance's lock, so no reader in
   * this JVM takes its shared lock meanwhile (which would collide with ours in the same JVM).
   */
  private boolean deleteUnlessRead(Path genDir) {
    FileChannel channel = null;
    try {
      channel = FileChannel.open(genDir.resolve(READERS), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      if (channel.tryLock(0, Long.MAX_VALUE, false) == null) {
        return false;
      }
      deleteTree(genDir);
      return true;
    } catch (NoSuchFileException gone) {
      return !Files.exists(genDir);
    } catch (IOException e) {
      return false;
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing releases the lock; a failure leaves nothing to undo.
      }
    }
  }

  /**
   * Deletes every generation but {@code keep} and {@code previous}; leased ones are marked and go
   * with their last lease.
   */
  private void retireAllBut(int keep, int previous) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        int gen = parseGeneration(p.getFileName().toString());
        if (gen < 0 || gen == keep || gen == previous) {
          continue;
        }
        synchronized (this) {
          if (leases.containsKey(gen)) {
            retired.add(gen);
          } else {
            deleteUnlessRead(p);
          }
        }
      }
    }
  }

  /** Deletes {@code path} and everything under it; a missing path is fine. */
  public static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** A reader's hold on one generation; closing it more than once is harmless. */
  public final class Lease implements AutoCloseable {
    private final int generation;
    private boolean closed;

    private Lease(int generation) {
      this.generation = generation;
    }

    public int generation() {
      return generation;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed || generation < 0) {
          closed = true;
          return;
        }
        closed = true;
      }
      release(generation);
    }
  }

  /**
   * The holder of the writer lock: stages one new generation and commits it, or leaves nothing
   * behind. Not thread-safe: one writer is one thread's work.
   */
  public final class Writer implements AutoCloseable {
    private final FileChannel lockChannel;
    private final int previous;
    private int generation = -1;
    private boolean committed;

    private Writer(FileChannel lockChannel) {
      this.lockChannel = lockChannel;
      this.previous = IndexDirectory.this.committedGeneration();
    }

    /** The generation committed when the lock was taken: 0 without a meta file, -1 when unreadable. */
    public int committedGeneration() {
      return previous;
    }

    /** Creates the directory of the next generation, empty, and returns it. Once per writer. */
    public Path stage() throws IOException {
      if (generation >= 0) {
        throw new IllegalStateException("this writer already staged generation " + generation);
      }
      generation = highestGeneration() + 1;
      Path genDir = dir.resolve(generationName(generation));
      Files.createDirectories(genDir);
      return genDir;
    }

    /** The staged generation's number; {@link #stage} first. */
    public int generation() {
      if (generation < 0) {
        throw new IllegalStateException("no generation staged");
      }
      return generation;
    }

    /**
     * Commits the staged generation: writes {@code meta} (which must name it) atomically over the
     * meta file, then retires every older generation but the one it replaces.
     */
    public void commit(IndexMeta meta) throws IOException {
      if (generationOf(meta) != generation()) {
        throw new IllegalArgumentException("the meta names generation " + generationOf(meta)
            + ", the writer staged " + generation);
      }
      meta.write(meta());
      committed = true;
      retireAllBut(generation, previous);
    }

    /** Releases the lock; an uncommitted staged generation is deleted first. */
    @Override
    public void close() throws IOException {
      try {
        if (generation >= 0 && !committed) {
          deleteTree(dir.resolve(generationName(generation)));
        }
      } finally {
        try {
          lockChannel.close();
        } finally {
          writerInJvm.release();
        }
      }
    }
  }
}
