package io.leann.shard.actor;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.RequestIds;
import io.leann.protocol.cluster.CborSerializable;
import io.leann.protocol.cluster.EmbedWorkerInfo;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.HnswIndex;
import io.leann.shard.hnsw.SearchStats;
import io.leann.shard.hnsw.SearchableIndex;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.recompute.ZmqRecomputer;
import io.leann.shard.search.IndexFiles;
import io.leann.shard.search.OpenShard;
import io.leann.shard.vector.ArrayVectors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * One shard of one index, {@code <index>/<k>}, as a Cluster Sharding entity: it loads its graph
 * and the index's passages from {@code LEANN_INDEX_DIR} on the first search, answers searches with
 * scored passages, and builds shard graphs for ingest jobs.
 *
 * <p>Loading is repeatable, so the entity can be stopped (passivation, handoff to another node,
 * {@link Stop}) and started anywhere that can read the index directory. It happens on the first
 * search or on a {@link Preload}; a newly loaded shard answers searches only after one warm-up
 * search ({@link #warm}), so no search pays for mapping a cold graph or a worker's first model runs. A search names the
 * generation the coordinator expects; when it differs from the loaded one, the actor reads the meta
 * file again and reloads if the index on disk moved on. Searches arriving while a load runs wait in
 * a bounded queue. The replaced shard is closed only after its last running search (see
 * {@link LoadedShard}), so searches keep seeing the old version until the new one is loaded.
 *
 * <p>Threads: searches, loads and builds block, so they run on the dispatchers named by
 * {@link ShardSettings}; search and build replies are sent from there straight to the requester,
 * and only load results come back to the actor. In recompute mode a search borrows a
 * {@link ZmqRecomputer} from a pool over the embed workers serving the index's model, which the
 * node's {@link EmbedDirectory} keeps current: workers joining raise throughput at once, workers
 * leaving are no longer asked.
 *
 * <p>Observability: a search runs with its {@link Search#requestId()} in the MDC ({@link RequestIds}),
 * so its log lines (one INFO access line per search on {@code leann.access}) name the API request; replies carry the engine's work
 * counters for the coordinator's metrics, and loads report to {@link ShardMetrics}.
 *
 * <p>Invariants: {@code pending} and {@code preloads} are non-empty only while {@code loading} or
 * {@code warming}, {@code inFlightLoad} set only while {@code loading}; {@code pool} is null when no shard is loaded or no worker serves its model, else
 * it recomputes for {@code current}; every shard this actor opened is retired exactly once.
 */
public final class ShardActor extends AbstractBehavior<ShardActor.Command> {

  public sealed interface Command extends CborSerializable
      permits Search, BuildGraph, Describe, Preload, Stop, Loaded, LoadFailed, Warmed, WorkersChanged {}

  /**
   * Finds the {@code k} passages of this shard nearest to {@code query}.
   *
   * @param query query embedding (normalised by the shard for cosine indexes)
   * @param ef search beam
   * @param recompute true or false forces the mode; null recomputes only when the graph stores no
   *     vectors
   * @param filters metadata filter in LEANN's shape as a JSON object, or null; a JSON tree rather
   *     than a map because Pekko's Jackson would turn nested untyped values into Scala collections
   * @param generation the generation the coordinator knows, or null to accept the loaded one
   * @param twoLevel knobs of the two-level search of a shard with PQ codes; null for the defaults
   * @param requestId the id of the API request this search serves, for the shard's log lines; or null
   */
  public record Search(float[] query, int k, int ef, Boolean recompute, JsonNode filters,
      String generation, TwoLevelOptions twoLevel, String requestId, ActorRef<SearchReply> replyTo)
      implements Command {
    /** A search with the default two-level knobs. */
    public Search(float[] query, int k, int ef, Boolean recompute, JsonNode filters, String generation,
        String requestId, ActorRef<SearchReply> replyTo) {
      this(query, k, ef, recompute, filters, generation, null, requestId, replyTo);
    }
  }

  /**
   * Builds the graph of this shard for an ingest job from rows {@code [firstRow, firstRow + count)}
   * of an embeddings file (little-endian float32 rows) and writes it atomically. Paths are relative
   * to the index directory. Replies with an ack, or an error naming what went wrong.
   *
   * @param recipe the index's graph settings (PQ bytes and hub budget included), as its meta records them
   */
  public record BuildGraph(String embeddings, long firstRow, int count, int dimensions, String graph,
      GraphBuild recipe, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Asks what the shard serves, for the admin API; it does not load the shard. */
  public record Describe(ActorRef<State> replyTo) implements Command {}

  /**
   * What a shard replica serves.
   *
   * @param entityId the replica's entity id
   * @param generation the loaded generation, or null when nothing is loaded
   * @param loading whether a load is in progress (searches wait for it)
   * @param waiting searches waiting for the load
   */
  public record State(String entityId, String generation, boolean loading, int waiting) implements CborSerializable {}
  /**
   * Loads this shard (the generation the meta file names now) and warms it with one search, one
   * recompute when the graph stores no vectors; acks once the shard answers searches at full speed.
   * Sent when an index is registered and when a job publishes a generation, so that no search has
   * to wait for a cold shard.
   *
   * @param generation the generation expected, or null for the committed one
   */
  public record Preload(String generation, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Stops the entity; Cluster Sharding sends it for passivation and handoff. */
  public enum Stop implements Command {
    INSTANCE
  }

  private record Loaded(LoadedShard shard) implements Command {}

  private record LoadFailed(String reason, boolean corrupt) implements Command {}

  private record WorkersChanged(EmbedDirectory.Workers workers) implements Command {}

  /** The warm-up search of a newly loaded shard ended; {@code failure} says why it failed, else null. */
  private record Warmed(LoadedShard shard, String failure) implements Command {}

  /** The answer to a {@link Search}. */
  public sealed interface SearchReply extends CborSerializable permits Hits, Failed {}

  /**
   * The shard's best hits, closest first.
   *
   * @param generation the generation searched
   * @param recompute whether the distances were recomputed by embed workers (else stored vectors)
   * @param stats the search's cost model ({@link SearchStats#toMap()})
   */
  public record Hits(int shard, String generation, List<ShardHit> hits, boolean recompute,
      Map<String, Long> stats) implements SearchReply {}

  /**
   * The shard could not search.
   *
   * @param badRequest the request itself is at fault (a bad filter, recompute off on an index without
   *     vectors, a reply too large): every shard would refuse it alike
   * @param corrupt the index's files failed verification ({@link IndexCorruptException}, whose message
   *     {@code reason} is): no retry or other replica of the same files can help
   */
  public record Failed(int shard, String reason, boolean badRequest, boolean corrupt) implements SearchReply {
    /** A failure that is not corruption. */
    public Failed(int shard, String reason, boolean badRequest) {
      this(shard, reason, badRequest, false);
    }
  }

  /** For the search and build threads, which must not touch the actor context. */
  private static final Logger LOG = LoggerFactory.getLogger(ShardActor.class);
  /** The access log every hop of a request writes to (the coordinator's HTTP line included). */
  private static final Logger ACCESS = LoggerFactory.getLogger("leann.access");

  private final IndexShards.Id id;
  private final Path indexDir;
  private final ShardSettings settings;
  private final ActorRef<EmbedDirectory.Command> directory;
  private final ActorRef<EmbedDirectory.Workers> workersAdapter;
  private final ZContext zmq;
  private final ShardMetrics metrics;
  private final Executor searchExecutor;
  private final Executor buildExecutor;
  private final ArrayDeque<Search> pending = new ArrayDeque<>();
  /** Preloads waiting for the shard to be loaded and warm. */
  private final List<ActorRef<StatusReply<Done>>> preloads = new ArrayList<>();
  private EmbedDirectory.Workers workers = new EmbedDirectory.Workers(List.of());
  private LoadedShard current;
  private RecomputerPool pool;
  /** The shard {@link #pool} recomputes for. */
  private LoadedShard poolShard;
  private boolean loading;
  /** A newly loaded shard's warm-up search runs; searches wait in {@link #pending} until it ends. */
  private boolean warming;
  /** The load in progress, if any: its shard must be closed if the actor stops before it arrives. */
  private CompletableFuture<LoadedShard> inFlightLoad;
  /** A generation a search asked for that the disk did not have: no need to look again for it. */
  private String staleGeneration;
  /** When the load in progress started, for {@link ShardMetrics#loadFinished}. */
  private long loadStartNanos;

  private ShardActor(ActorContext<Command> context, IndexShards.Id id, ShardSettings settings,
      ActorRef<EmbedDirectory.Command> directory, ZContext zmq, ShardMetrics metrics) {
    super(context);
    this.id = id;
    this.metrics = metrics;
    this.indexDir = settings.indexDir().resolve(id.index()).normalize();
    this.settings = settings;
    this.directory = directory;
    this.zmq = zmq;
    this.searchExecutor = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig(settings.searchDispatcher()));
    this.buildExecutor = context.getSystem().dispatchers()
        .lookup(DispatcherSelector.fromConfig(settings.buildDispatcher()));
    this.workersAdapter = context.messageAdapter(EmbedDirectory.Workers.class, WorkersChanged::new);
    directory.tell(new EmbedDirectory.Subscribe(workersAdapter));
  }

  /**
   * @param entityId {@code <index>/<k>}
   * @param directory this node's embed worker directory
   * @param zmq this node's ZMQ context, shared by the recompute sockets of all its shards
   * @param metrics this node's shard metrics
   */
  public static Behavior<Command> create(String entityId, ShardSettings settings,
      ActorRef<EmbedDirectory.Command> directory, ZContext zmq, ShardMetrics metrics) {
    IndexShards.Id id = IndexShards.Id.parse(entityId);
    return Behaviors.setup(ctx -> new ShardActor(ctx, id, settings, directory, zmq, metrics));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Search.class, this::onSearch)
        .onMessage(BuildGraph.class, this::onBuildGraph)
        .onMessage(Describe.class, this::onDescribe)
        .onMessage(Preload.class, this::onPreload)
        .onMessage(Warmed.class, this::onWarmed)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(LoadFailed.class, this::onLoadFailed)
        .onMessage(WorkersChanged.class, this::onWorkersChanged)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onSearch(Search search) {
    if (loading || warming) {
      enqueue(search);
    } else if (current != null && (search.generation() == null
        || search.generation().equals(current.generation())
        || search.generation().equals(staleGeneration))) {
      run(search);
    } else {
      enqueue(search);
      load();
    }
    return this;
  }

  private Behavior<Command> onDescribe(Describe describe) {
    describe.replyTo().tell(new State(id.toString(), current == null ? null : current.generation(), loading || warming,
        pending.size()));
    return this;
  }

  private Behavior<Command> onPreload(Preload preload) {
    if (!loading && !warming && current != null && (preload.generation() == null
        || preload.generation().equals(current.generation()) || preload.generation().equals(staleGeneration))) {
      preload.replyTo().tell(StatusReply.ack());
      return this;
    }
    preloads.add(preload.replyTo());
    if (!loading && !warming) {
      load();
    }
    return this;
  }

  private void enqueue(Search search) {
    if (pending.size() >= settings.maxPendingSearches()) {
      search.replyTo().tell(new Failed(id.shard(), "shard " + id + " is loading and already holds "
          + pending.size() + " searches", false));
    } else {
      pending.add(search);
    }
  }

  private void load() {
    loading = true;
    loadStartNanos = System.nanoTime();
    LoadedShard loaded = current;
    inFlightLoad = CompletableFuture.supplyAsync(() -> open(loaded), searchExecutor);
    getContext().pipeToSelf(inFlightLoad,
        (shard, failure) -> failure == null ? new Loaded(shard)
            : new LoadFailed(describe(failure), corruption(failure) != null));
  }

  /** The shard the meta file names now: {@code loaded} itself if its generation is still current. */
  private LoadedShard open(LoadedShard loaded) {
    try {
      if (loaded != null && loaded.generation().equals(LoadedShard.currentGeneration(indexDir))) {
        return loaded;
      }
      return LoadedShard.open(indexDir, id.index(), id.shard());
    } catch (IndexFormatException e) {
      throw IndexCorruptException.of(id.index(), indexDir, e);
    } catch (NoSuchFileException e) {
      throw new CompletionException(new NoSuchFileException(indexDir.toString(), null,
          "index '" + id.index() + "' not found under " + settings.indexDir()));
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  private Behavior<Command> onLoaded(Loaded m) {
    loading = false;
    inFlightLoad = null;
    metrics.loadFinished(id, Duration.ofNanos(System.nanoTime() - loadStartNanos), true);
    metrics.loaded(id, true);
    if (m.shard() != current) {
      if (current != null) {
        current.retire();
      }
      current = m.shard();
      getContext().getLog().info("shard {} loaded generation {}", id, current.generation());
      updatePool();
      warm();
      return this;
    }
    ready();
    return this;
  }

  /**
   * Runs one search on the newly loaded shard before any other: it maps the graph's pages and, for
   * a shard without vectors, connects to an embed worker and has it embed passages once, so the
   * first real search does not pay for that within its deadline.
   */
  private void warm() {
    warming = true;
    LoadedShard shard = current;
    RecomputerPool recomputers = shard.hasVectors() ? null : pool;
    if (!shard.acquire()) {
      warming = false;
      ready();
      return;
    }
    float[] query = new float[shard.dimensions()];
    query[0] = 1;
    getContext().pipeToSelf(CompletableFuture.runAsync(() -> {
      try {
        if (recomputers == null) {
          if (shard.searchableWithoutRecompute()) {
            shard.search(query, 1, 1, MetadataFilter.ALL, null, TwoLevelOptions.defaults());
          }
        } else {
          ZmqRecomputer recomputer = recomputers.borrow();
          try {
            shard.search(query, 1, 1, MetadataFilter.ALL, recomputer, TwoLevelOptions.defaults());
          } finally {
            recomputers.release(recomputer);
          }
        }
      } finally {
        shard.release();
      }
    }, searchExecutor), (ignored, failure) -> new Warmed(shard, failure == null ? null : describe(failure)));
  }

  private Behavior<Command> onWarmed(Warmed m) {
    warming = false;
    if (m.failure() != null) {
      getContext().getLog().warn("shard {}: the warm-up search of generation {} failed: {}", id,
          m.shard().generation(), m.failure());
    }
    ready();
    return this;
  }

  /** The shard is loaded and warm: answers what waited for it. */
  private void ready() {
    staleGeneration = null;
    preloads.forEach(p -> p.tell(StatusReply.ack()));
    preloads.clear();
    while (!pending.isEmpty()) {
      Search s = pending.poll();
      if (s.generation() != null && !s.generation().equals(current.generation())) {
        staleGeneration = s.generation();
      }
      run(s);
    }
  }

  private Behavior<Command> onLoadFailed(LoadFailed m) {
    loading = false;
    inFlightLoad = null;
    metrics.loadFinished(id, Duration.ofNanos(System.nanoTime() - loadStartNanos), false);
    metrics.loaded(id, current != null);
    getContext().getLog().warn("shard {} failed to load: {}", id, m.reason());
    preloads.forEach(p -> p.tell(StatusReply.error("shard " + id + ": " + m.reason())));
    preloads.clear();
    while (!pending.isEmpty()) {
      pending.poll().replyTo().tell(m.corrupt() ? new Failed(id.shard(), m.reason(), false, true)
          : new Failed(id.shard(), "shard " + id + ": " + m.reason(), false));
    }
    return this;
  }

  private Behavior<Command> onWorkersChanged(WorkersChanged m) {
    workers = m.workers();
    updatePool();
    return this;
  }

  /** Points the recompute pool at the workers that serve the loaded shard's model. */
  private void updatePool() {
    List<String> endpoints = current == null ? List.of()
        : workers.endpointsFor(current.model(), current.dimensions(), current.maxSeqLength());
    if (pool != null && pool.endpoints().equals(endpoints) && poolShard == current) {
      return;
    }
    if (pool != null) {
      pool.retire();
    }
    LoadedShard shard = current;
    pool = endpoints.isEmpty() ? null
        : new RecomputerPool(zmq, endpoints, shard::text, shard.metric(), settings.recompute());
    poolShard = shard;
  }

  private void run(Search search) {
    LoadedShard shard = current;
    MetadataFilter filter;
    try {
      filter = MetadataFilter.parse(search.filters());
    } catch (IllegalArgumentException e) {
      search.replyTo().tell(new Failed(id.shard(), "metadata_filters: " + e.getMessage(), true));
      return;
    }
    boolean recompute = search.recompute() != null ? search.recompute() : !shard.hasVectors();
    if (!recompute && !shard.searchableWithoutRecompute()) {
      search.replyTo().tell(new Failed(id.shard(), SearchableIndex.recomputeRequired(id.index()), true));
      return;
    }
    RecomputerPool recomputers = recompute ? pool : null;
    if (recompute && recomputers == null) {
      search.replyTo().tell(new Failed(id.shard(), "no embed worker serving "
          + EmbedWorkerInfo.describe(shard.model(), shard.maxSeqLength()) + " (" + shard.dimensions()
          + " dimensions) is reachable for recompute" + (shard.maxSeqLength() == null ? ""
              : "; start one with leann serve --roles embed --max-seq-length " + shard.maxSeqLength()), false));
      return;
    }
    if (!shard.acquire()) {
      search.replyTo().tell(new Failed(id.shard(), "shard " + id + " was closed", false));
      return;
    }
    CompletableFuture.supplyAsync(() -> RequestIds.call(search.requestId(),
            () -> execute(shard, recomputers, search, filter)), searchExecutor)
        .whenComplete((reply, failure) -> {
          shard.release();
          search.replyTo().tell(reply != null ? reply : failed(failure));
        });
  }

  /** Runs one search on a search thread, with the request's id in the MDC. */
  private SearchReply execute(LoadedShard shard, RecomputerPool recomputers, Search search,
      MetadataFilter filter) {
    long start = System.nanoTime();
    OpenShard.Hits result;
    TwoLevelOptions twoLevel = search.twoLevel() != null ? search.twoLevel() : TwoLevelOptions.defaults();
    try {
      if (recomputers == null) {
        result = shard.search(search.query(), search.k(), search.ef(), filter, null, twoLevel);
      } else {
        ZmqRecomputer recomputer = recomputers.borrow();
        try {
          result = shard.search(search.query(), search.k(), search.ef(), filter, recomputer, twoLevel);
        } finally {
          recomputers.release(recomputer);
        }
      }
    } catch (IllegalArgumentException e) {
      LOG.debug("search of shard {} refused: {}", id, e.getMessage());
      return new Failed(id.shard(), e.getMessage(), true);
    } catch (RecomputeException e) {
      LOG.warn("search of shard {} failed: recompute: {}", id, e.getMessage());
      return new Failed(id.shard(), "recompute failed: " + e.getMessage(), false);
    }
    List<ShardHit> hits = result.hits();
    Map<String, Long> stats = result.stats().toMap();
    ACCESS.info("searched shard {} (k={}, ef={}, {}): {} hits in {} ms, {} id={}", id, search.k(), search.ef(),
        recomputers == null ? "stored" : "recompute", hits.size(), (System.nanoTime() - start) / 1_000_000,
        stats, search.requestId());
    long bytes = replyBytes(hits);
    if (bytes > settings.maxReplyBytes()) {
      return new Failed(id.shard(), "top_k " + search.k() + " gives " + bytes + " bytes of passages from "
          + "shard " + id + ", over the cluster message limit of " + settings.maxReplyBytes()
          + " bytes; ask for fewer results", true);
    }
    return new Hits(id.shard(), shard.generation(), hits, recomputers != null, stats);
  }

  /** A generous estimate of the serialised size of {@code hits}. */
  private static long replyBytes(List<ShardHit> hits) {
    long bytes = 64;
    for (ShardHit h : hits) {
      bytes += 64 + h.id().length() + h.text().getBytes(StandardCharsets.UTF_8).length
          + String.valueOf(h.metadata()).getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  private Behavior<Command> onBuildGraph(BuildGraph build) {
    CompletableFuture.runAsync(() -> buildGraph(build), buildExecutor)
        .whenComplete((ignored, failure) -> build.replyTo().tell(failure == null ? StatusReply.ack()
            : StatusReply.error("building the graph of shard " + id + " failed: " + describe(failure))));
    return this;
  }

  /** Builds and saves one shard graph with the recipe the CLI build follows for its shards. */
  private void buildGraph(BuildGraph b) {
    try {
      Path vectorsFile = IndexFiles.resolve(indexDir, b.embeddings());
      Path graphFile = IndexFiles.resolve(indexDir, b.graph());
      long rowBytes = (long) b.dimensions() * Float.BYTES;
      float[] data = new float[Math.multiplyExact(b.count(), b.dimensions())];
      try (Arena arena = Arena.ofConfined();
          FileChannel ch = FileChannel.open(vectorsFile, StandardOpenOption.READ)) {
        long end = (b.firstRow() + b.count()) * rowBytes;
        if (ch.size() < end) {
          throw new IOException(vectorsFile + " holds " + ch.size() / rowBytes + " rows of "
              + b.dimensions() + " floats, the shard needs rows up to " + (b.firstRow() + b.count()));
        }
        MemorySegment rows = ch.map(FileChannel.MapMode.READ_ONLY, b.firstRow() * rowBytes,
            b.count() * rowBytes, arena);
        MemorySegment.copy(rows, LittleEndian.FLOAT, 0, data, 0, data.length);
      }
      Files.createDirectories(graphFile.getParent());
      try (HnswIndex index = b.recipe().build(new ArrayVectors(data, b.dimensions()))) {
        index.save(graphFile);
      }
      LOG.info("built graph {} of shard {} ({} nodes)", b.graph(), id, b.count());
    } catch (IOException e) {
      throw new CompletionException(e);
    }
  }

  private Behavior<Command> onPostStop() {
    metrics.stopped(id);
    directory.tell(new EmbedDirectory.Unsubscribe(workersAdapter));
    while (!pending.isEmpty()) {
      pending.poll().replyTo().tell(new Failed(id.shard(), "shard " + id + " stopped", false));
    }
    preloads.forEach(p -> p.tell(StatusReply.error("shard " + id + " stopped")));
    if (pool != null) {
      pool.retire();
    }
    if (current != null) {
      current.retire();
    }
    if (inFlightLoad != null) {
      // Its result will never reach this actor; whatever it opened beyond the current shard closes.
      LoadedShard kept = current;
      inFlightLoad.thenAccept(shard -> {
        if (shard != kept) {
          shard.retire();
        }
      });
    }
    return this;
  }

  /** The reply to a search that threw {@code failure}. */
  private Failed failed(Throwable failure) {
    IndexCorruptException corrupt = corruption(failure);
    return corrupt != null ? new Failed(id.shard(), corrupt.getMessage(), false, true)
        : new Failed(id.shard(), "shard " + id + ": " + describe(failure), false);
  }

  /** The corruption behind {@code failure}, or null. */
  private static IndexCorruptException corruption(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof IndexCorruptException e ? e : null;
  }

  private static String describe(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof NoSuchFileException nsf && nsf.getReason() != null) {
      return nsf.getReason();
    }
    return Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName());
  }
}
