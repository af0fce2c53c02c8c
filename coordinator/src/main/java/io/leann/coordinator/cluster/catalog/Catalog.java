package io.leann.coordinator.cluster.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.cluster.ReplicatedMap;
import io.leann.coordinator.index.IndexLayout;
import io.leann.coordinator.index.IndexRegistry;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.IndexInfo;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.cluster.IndexEntry;
import io.leann.protocol.cluster.Replication;
import io.leann.protocol.index.AtomicFiles;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.index.IndexDirectory;
import io.leann.shard.text.TextAnalyzer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's catalog of indexes: the replicated registry of {@link IndexEntry}s and the index
 * directories under {@code LEANN_INDEX_DIR} they describe.
 *
 * <p>The registry is eventually consistent across coordinators: a change made through one
 * coordinator is visible at once on it and on the others once replicated (a majority within the
 * write timeout, every node by gossip). {@link #entry} follows commits made by other writers on the
 * same directory ({@link CommitFollower}).
 *
 * <p>Replication factors ({@link Replication}) are a second replicated map, apart from the entries
 * so that the writers of entries (ingest, the scan) need not carry them, and are kept on disk in the
 * index directory ({@value #REPLICATION_FILE}) so that they survive a restart of the whole cluster.
 *
 * <p>Thread-safe; methods returning stages never block the caller (file work runs on the blocking
 * executor) and complete exceptionally with an {@link ApiException} for client errors.
 */
public final class Catalog {
  /** The longest a lookup of an unknown name waits for the start-up registration of the indexes on disk. */
  private static final Duration REGISTRATION_WAIT = Duration.ofSeconds(30);
  /** Completes once the indexes found on disk at start are registered. */
  private final CompletableFuture<Void> registered = new CompletableFuture<>();
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);
  static final String REPLICATION_FILE = "leann.replication.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ReplicatedMap<IndexEntry> indexes;
  private final ReplicatedMap<Replication> replication;
  private final IndexRegistry disk;
  private final Map<String, String> env;
  private final CommitFollower commits;
  private final Executor blocking;

  /**
   * @param indexes the replicated index registry
   * @param replication the replicated replication factors, by index name
   * @param env environment: the embedding providers' settings that index entries record
   * @param blocking where file work runs
   */
  public Catalog(ReplicatedMap<IndexEntry> indexes, ReplicatedMap<Replication> replication, IndexRegistry disk,
      Map<String, String> env, Executor blocking) {
    this.indexes = indexes;
    this.replication = replication;
    this.disk = disk;
    this.env = env;
    this.commits = new CommitFollower(disk, indexes);
    this.blocking = blocking;
  }

  /** The replicated registry, for the writers of entries (ingest) and readers of all of them. */
  public ReplicatedMap<IndexEntry> registry() {
    return indexes;
  }

  public IndexRegistry disk() {
    return disk;
  }

  /**
   * The replication factor set for {@code index}, or null for the default; see
   * {@link Replication#effective}.
   */
  public Replication replication(String index) {
    return replication.get(index);
  }

  /**
   * Sets the replication factor of {@code name}: on disk first, then in the registry.
   *
   * @throws ApiException (in the stage) 400 for a factor outside [1, {@value Replication#MAX}], 404
   *     for an unknown index
   */
  public CompletionStage<Replication> setReplication(String name, Integer replicas) {
    Replication factor;
    try {
      entry(name);
      factor = replication(replicas);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.runAsync(() -> writeReplication(disk.layout(name), factor), blocking)
        .thenCompose(done -> replication.put(name, factor))
        .thenApply(done -> factor);
  }

  /** The factor a request asks for; 400 naming {@code replicas} when it is out of range. */
  private static Replication replication(Integer replicas) {
    if (replicas == null || replicas < 1 || replicas > Replication.MAX) {
      throw ApiException.badRequest("replicas", "must be a number in [1, " + Replication.MAX + "]");
    }
    return new Replication(replicas);
  }

  private static void writeReplication(IndexLayout layout, Replication factor) {
    try {
      AtomicFiles.write(layout.dir().resolve(REPLICATION_FILE), JSON.writeValueAsBytes(factor));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The factor recorded in {@code layout}'s directory, or null; a file that does not parse is logged and ignored. */
  private static Replication readReplication(IndexLayout layout) {
    Path file = layout.dir().resolve(REPLICATION_FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return JSON.readValue(Files.readAllBytes(file), Replication.class);
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring {} (the default replication applies): {}", file, e.getMessage());
      return null;
    }
  }

  /**
   * Registers every index under {@code LEANN_INDEX_DIR}, unless the registry has the same version;
   * returns those with a committed generation. Until it returns, lookups of a name the registry does
   * not know wait for it, so an index on disk is never reported missing while a node starts.
   */
  public List<IndexEntry> registerIndexesOnDisk() {
    List<IndexEntry> committed = new ArrayList<>();
    try {
      List<CompletableFuture<?>> updates = new ArrayList<>();
      for (IndexEntry found : IndexEntries.scan(disk, env)) {
        updates.add(indexes.update(found.name(), known -> known == null
            || (found.generation() != null && !found.generation().equals(known.generation())) ? found : null)
            .toCompletableFuture());
        Replication factor = readReplication(disk.layout(found.name()));
        if (factor != null) {
          replication.update(found.name(), known -> known == null ? factor : null);
        }
        if (found.generation() != null) {
          committed.add(found);
        }
      }
      // Jobs replayed after this look their index up in the registry.
      CompletableFuture.allOf(updates.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
    } catch (IOException | RuntimeException e) {
      log.warn("could not scan {} for indexes: {}", disk.root(), e.getMessage());
    } finally {
      registered.complete(null);
    }
    return committed;
  }

  /** The registered indexes; while a node starts, once those on disk are registered. */
  public CompletionStage<List<IndexInfo>> indexes() {
    return registered.copy().completeOnTimeout(null, REGISTRATION_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ready -> indexes.snapshot().values().stream()
            .sorted(Comparator.comparing(IndexEntry::name))
            .map(IndexEntry::toInfo)
            .toList());
  }

  public CompletionStage<IndexInfo> index(String name) {
    try {
      return CompletableFuture.completedFuture(entry(name).toInfo());
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Creates an empty index, or returns the existing one (also one on disk that the registry does not
   * know yet) when the fields {@code settings} sets agree with it; 409 when they do not. A
   * replication factor in {@code settings} is set in either case (it may change at any time).
   */
  public CompletionStage<IndexInfo> createIndex(String name, IndexSettings settings) {
    IndexEntry requested;
    Replication factor;
    try {
      checkName(name);
      requested = IndexEntries.fromSettings(name, settings, env);
      factor = settings == null || settings.replicas() == null ? null : replication(settings.replicas());
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.supplyAsync(() -> {
      IndexEntry existing = indexes.get(name);
      IndexLayout layout = disk.layout(name);
      int existingShards;
      TextAnalyzer existingAnalyzer;
      try {
        if (existing == null) {
          existing = IndexEntries.read(layout, env);
        }
        if (existing == null) {
          IndexEntries.writeSettings(layout, requested, TextAnalyzer.ofSettings(settings));
        }
        existingShards = existing == null ? 0 : IndexEntries.requestedShards(layout, existing.shards());
        existingAnalyzer = IndexEntries.textAnalyzer(layout);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (existing != null
          && !IndexEntries.compatible(existing, existingShards, existingAnalyzer, settings, requested)) {
        throw new ApiException(409, "conflict", "index '" + name + "' exists with other settings (model "
            + existing.model() + ", metric " + existing.metric() + ", " + existingShards + " shards, degree "
            + existing.graphDegree() + ", compact " + existing.compact() + ", recompute " + existing.recompute()
            + ", text analyzer " + existingAnalyzer.id() + ")");
      }
      if (factor != null) {
        writeReplication(layout, factor);
      }
      return existing != null ? existing : requested;
    }, blocking).thenCompose(entry -> indexes.update(name, known -> known == null ? entry : null))
        .thenCompose(done -> factor == null ? CompletableFuture.completedFuture(done) : replication.put(name, factor))
        .thenApply(done -> indexes.get(name).toInfo());
  }

  /**
   * Removes {@code name} from the registry, then its directory from disk.
   *
   * @return the entry the registry had (null when only the directory was there), once the files are gone
   */
  public CompletionStage<IndexEntry> deleteIndex(String name) {
    try {
      checkName(name);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    IndexEntry entry = indexes.get(name);
    IndexLayout layout = disk.layout(name);
    if (entry == null && !Files.isDirectory(layout.dir())) {
      return CompletableFuture.failedFuture(ApiException.notFound("index", name));
    }
    return indexes.remove(name).thenCombine(replication.remove(name), (a, b) -> b).thenApplyAsync(done -> {
      try {
        // The meta file goes first: from then on the index no longer exists on disk.
        Files.deleteIfExists(layout.meta());
        IndexDirectory.deleteTree(layout.dir());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return entry;
    }, blocking);
  }

  /**
   * The registry's entry of {@code name}, on the generation its meta file commits ({@link CommitFollower}).
   *
   * @throws ApiException 404 for an unknown index, or the corruption of one whose meta file fails its checks
   */
  public IndexEntry entry(String name) {
    IndexEntry entry = name == null ? null : indexes.get(name);
    if (entry == null && !registered.isDone()) {
      try {
        registered.get(REGISTRATION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // Answer from what the registry holds now.
      }
      entry = indexes.get(name);
    }
    if (entry == null) {
      throw unknownOrCorrupt(name);
    }
    return commits.follow(entry);
  }

  /**
   * 404 for a name with no index. A directory whose meta file is there but fails its checks was
   * left out of the catalog at the scan; it is a corrupt index, not an absent one, and says so.
   */
  private ApiException unknownOrCorrupt(String name) {
    try {
      IndexLayout layout = disk.layout(name);
      if (Files.isRegularFile(layout.meta())) {
        IndexMeta.read(layout.meta());
      }
    } catch (IndexFormatException e) {
      return IndexCorruptException.of(name, disk.layout(name).dir(), e);
    } catch (IOException | RuntimeException e) {
      // an invalid name or an unreadable directory: nothing there to report
    }
    return ApiException.notFound("index", name);
  }

  private static void checkName(String name) {
    try {
      IndexLayout.checkName(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("name", e.getMessage());
    }
  }
}
