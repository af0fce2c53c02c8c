package io.leann.shard.recompute;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.RecomputeException;
import io.leann.protocol.index.IndexCorruptException;
import io.leann.protocol.Recomputer;
import io.leann.protocol.RequestIds;
import io.leann.protocol.wire.MalformedFrameException;
import io.leann.protocol.wire.NativeCodec;
import io.leann.protocol.wire.NativeFrame;
import io.leann.protocol.wire.NativeMessage;
import io.leann.protocol.wire.ZmqCurve;
import io.leann.protocol.wire.ZmqHandshake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import org.zeromq.ZMsg;

/**
 * A {@link Recomputer} backed by remote embed workers: each batch of nodes the search expands
 * becomes native {@code DISTANCES} frames carrying the query, the metric and the nodes' passage
 * texts, so any worker can answer without access to this shard's files.
 *
 * <p>Spreading and failover: a batch larger than {@link Options#maxBatch()} is cut into chunks
 * sent to different workers at once; successive chunks go to the workers round-robin. A chunk not
 * answered within {@link Options#timeout()}, or answered with an error or a malformed reply, is sent
 * again to a worker that has not failed it yet. A worker that timed out gets a fresh socket (its
 * old one may still deliver a late reply for a chunk already served elsewhere) and is avoided for
 * {@link Options#cooldown()} while others are available. Once every worker has had the chunk, those
 * that timed out get it once more on their fresh socket. Replies are matched by request id; any
 * other reply, stale from an abandoned call, is dropped. When no worker is left to try, the call
 * throws {@link RecomputeException} naming each endpoint, what went wrong and the timeout.
 *
 * <p>Connections: a socket's ZMTP handshake interval is cut to fit in {@link Options#handshakeTimeout()}
 * ({@link ZmqHandshake}: JeroMQ remakes a connection whose handshake stalled), and a socket is used
 * only after it has answered a {@code PING} within {@link Options#handshakeTimeout()}; a worker
 * whose new connection stays silent counts as unreachable for its cooldown, so a dead worker costs
 * a second, not a request {@link Options#timeout()} per chunk. With {@link Options#curve()} keys the
 * connections are CURVE-encrypted and authenticated; a worker that does not admit the client key
 * never answers the {@code PING}, so it counts as unreachable the same way.
 *
 * <p>{@link #embeddings} sends {@code EMBED} frames instead, for callers that rank with the vectors
 * themselves and keep them across queries (the two-level search); the set is cut evenly across the
 * workers, with the same failover.
 *
 * <p>Per-query cache: distances are remembered by node id until the query changes (another array,
 * or the same array with other values), so no node is embedded twice in one search, even when the
 * searcher asks again or a batch repeats an id.
 *
 * <p>Threading: ZMQ sockets belong to one thread at a time, so this recomputer serves one search
 * thread at a time: calls are {@code synchronized}, which also gives the memory barrier ZMQ needs
 * when a socket passes from one thread to the next. Parallel searches each take their own
 * instance, typically sharing one {@link ZContext}; {@link #close()} must come after the last call.
 */
public final class ZmqRecomputer implements Recomputer, NodeEmbedder {

  /**
   * @param timeout how long a worker may take to answer one chunk before it is retried elsewhere
   * @param maxBatch nodes per request at most; larger batches are split across workers
   * @param cooldown how long a worker that timed out is passed over while others are available
   * @param handshakeTimeout how long a new connection may take to answer its {@code PING}
   * @param curve CURVE keys for the connections to the workers, or null for none
   */
  public record Options(Duration timeout, int maxBatch, Duration cooldown, Duration handshakeTimeout,
      ZmqCurve.ClientKeys curve) {
    public Options {
      if (!timeout.isPositive() || maxBatch < 1 || cooldown.isNegative() || !handshakeTimeout.isPositive()) {
        throw new IllegalArgumentException("timeout, maxBatch and handshakeTimeout must be positive, "
            + "cooldown not negative: " + timeout + ", " + maxBatch + ", " + handshakeTimeout + ", " + cooldown);
      }
    }

    /** 10 s per request, 64 nodes per request, 5 s cooldown, 1 s per connection handshake, no CURVE. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), 64, Duration.ofSeconds(5), Duration.ofSeconds(1), null);
    }

    public Options withTimeout(Duration t) {
      return new Options(t, maxBatch, cooldown, handshakeTimeout, curve);
    }

    public Options withMaxBatch(int n) {
      return new Options(timeout, n, cooldown, handshakeTimeout, curve);
    }

    public Options withCooldown(Duration c) {
      return new Options(timeout, maxBatch, c, handshakeTimeout, curve);
    }

    public Options withCurve(ZmqCurve.ClientKeys keys) {
      return new Options(timeout, maxBatch, cooldown, handshakeTimeout, keys);
    }
  }

  /**
   * Work done so far.
   *
   * @param nodesRecomputed distances obtained from workers (each one node's embedding recomputed)
   * @param cacheHits distances answered from the per-query cache
   * @param requests frames sent to workers, retries included
   * @param retries chunks sent again after a worker failed them
   * @param staleReplies replies dropped because no pending request had their id
   * @param deadConnections new connections dropped because they did not answer their {@code PING}
   *     (each one puts its worker out of use for the cooldown)
   */
  public record Stats(long nodesRecomputed, long cacheHits, long requests, long retries,
      long staleReplies, long deadConnections) {}

  /** One embed worker endpoint and this recomputer's socket to it. */
  private final class Worker {
    final int index;
    final String endpoint;
    final List<Chunk> inFlight = new ArrayList<>();
    ZMQ.Socket socket;
    long coolUntilNanos;
    long unreachableUntilNanos;
    String lastFailure;

    Worker(int index, String endpoint) {
      this.index = index;
      this.endpoint = endpoint;
    }

    /**
     * The connected socket, proven by an answered {@code PING}; null while the worker is
     * unreachable: a new connection stayed silent for {@link Options#handshakeTimeout()}, within
     * which JeroMQ has already remade a connection whose handshake stalled (see the class comment).
     */
    ZMQ.Socket socket() {
      if (socket == null && unreachableUntilNanos - System.nanoTime() <= 0) {
        ZMQ.Socket fresh = context.createSocket(SocketType.DEALER);
        fresh.setLinger(0);
        fresh.setSendTimeOut(0);
        fresh.setHandshakeIvl(ZmqHandshake.intervalMillis(options.handshakeTimeout()));
        ZmqCurve.ClientKeys keys = options.curve();
        if (keys != null) {
          fresh.setCurveServerKey(ZmqCurve.bytes(keys.serverKey()));
          fresh.setCurvePublicKey(ZmqCurve.bytes(keys.publicKey()));
          fresh.setCurveSecretKey(ZmqCurve.bytes(keys.secretKey()));
        }
        fresh.connect(endpoint);
        if (handshake(fresh)) {
          socket = fresh;
        } else {
          fresh.close();
          deadConnections++;
          lastFailure = "no answer to a PING within " + options.handshakeTimeout().toMillis() + " ms";
          unreachableUntilNanos = System.nanoTime() + options.cooldown().toNanos();
          coolUntilNanos = unreachableUntilNanos;
        }
      }
      return socket;
    }

    /** Whether {@code fresh} answers a {@code PING}: any reply proves the connection delivers. */
    private boolean handshake(ZMQ.Socket fresh) {
      byte[] ping = NativeCodec.encode(nextRequestId++, new NativeMessage.Ping());
      if (!(fresh.sendMore(new byte[0]) && fresh.send(ping, ZMQ.DONTWAIT))) {
        return false;
      }
      ZMQ.PollItem[] item = {new ZMQ.PollItem(fresh, ZMQ.Poller.POLLIN)};
      long deadline = System.nanoTime() + options.handshakeTimeout().toNanos();
      for (long left; (left = deadline - System.nanoTime()) > 0; ) {
        ZMQ.poll(selector, item, Math.max(1, left / 1_000_000));
        ZMsg reply = item[0].isReadable() ? ZMsg.recvMsg(fresh, ZMQ.DONTWAIT) : null;
        if (reply != null) {
          reply.destroy();
          return true;
        }
      }
      return false;
    }

    /** Drops the socket, so replies still on their way to it can never be read. */
    void reset() {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }

  /** Sends of one chunk to one worker at most: the second goes out on a fresh socket. */
  private static final int ATTEMPTS_PER_WORKER = 2;

  /** A slice {@code [from, to)} of one call's uncached nodes, and where it was last sent. */
  private static final class Chunk {
    final int from;
    final int to;
    /** Sends to each worker so far; {@link #ATTEMPTS_PER_WORKER} once a worker answered badly. */
    final int[] attempts;
    long requestId;
    long deadlineNanos;
    float[] distances;
    float[][] vectors;

    Chunk(int from, int to, int workers) {
      this.from = from;
      this.to = to;
      this.attempts = new int[workers];
    }

    int size() {
      return to - from;
    }
  }

  /**
   * One call's texts, its query for distances (null to ask for the embeddings themselves), and the
   * request id of the calling thread ({@link RequestIds}), sent along for the workers' logs.
   */
  private record Call(float[] query, List<String> texts, String traceId) {}

  private final ZContext context;
  private final boolean ownsContext;
  private final Worker[] workers;
  private final IntFunction<String> passageText;
  private final Metric metric;
  private final Options options;
  private final Selector selector;
  private final DistanceCache cache = new DistanceCache();
  private float[] lastQuery;
  private float[] lastQueryCopy;
  private long nextRequestId = 1;
  private int roundRobin;
  private long nodesRecomputed;
  private long cacheHits;
  private long requests;
  private long retries;
  private long staleReplies;
  private long deadConnections;
  private boolean closed;

  /**
   * A recomputer whose sockets live in {@code context}, which the caller owns and closes after
   * this recomputer.
   *
   * @param endpoints embed worker endpoints, e.g. {@code tcp://10.0.0.5:5557}
   * @param passageText the passage text of a graph node (row); may throw, or return null for none
   * @param metric the index's metric; for cosine the query must already be normalised
   */
  public ZmqRecomputer(ZContext context, List<String> endpoints, IntFunction<String> passageText,
      Metric metric, Options options) {
    this(context, false, endpoints, passageText, metric, options);
  }

  private ZmqRecomputer(ZContext context, boolean ownsContext, List<String> endpoints,
      IntFunction<String> passageText, Metric metric, Options options) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no embed worker endpoints");
    }
    this.context = context;
    this.ownsContext = ownsContext;
    this.workers = new Worker[endpoints.size()];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker(i, endpoints.get(i));
    }
    this.passageText = passageText;
    this.metric = metric;
    this.options = options;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector to poll embed workers", e);
    }
  }

  /** A recomputer with a ZMQ context of its own, closed with it. */
  public static ZmqRecomputer open(List<String> endpoints, IntFunction<String> passageText,
      Metric metric, Options options) {
    return new ZmqRecomputer(new ZContext(1), true, endpoints, passageText, metric, options);
  }

  @Override
  public synchronized void distances(float[] query, int[] ids, int count, float[] out) {
    if (closed) {
      throw new IllegalStateException("recomputer is closed");
    }
    if (query != lastQuery || !Arrays.equals(query, lastQueryCopy)) {
      cache.clear();
      lastQuery = query;
      lastQueryCopy = query.clone();
    }
    int[] misses = new int[count];
    int missCount = 0;
    for (int i = 0; i < count; i++) {
      int id = ids[i];
      if (cache.contains(id)) {
        cacheHits++;
      } else {
        // NaN marks "asked for in this call", so a repeated id is sent once; replaced below.
        cache.put(id, Float.NaN);
        misses[missCount++] = id;
      }
    }
    if (missCount > 0) {
      try {
        float[] computed = fetch(query, Arrays.copyOf(misses, missCount));
        for (int i = 0; i < missCount; i++) {
          cache.put(misses[i], computed[i]);
        }
        nodesRecomputed += missCount;
      } catch (RuntimeException e) {
        // Forget this call entirely: placeholders in the cache, and chunks still out, whose
        // replies will now be dropped as stale.
        cache.clear();
        throw abandon(e);
      }
    }
    for (int i = 0; i < count; i++) {
      out[i] = cache.get(ids[i]);
    }
  }

  private List<String> endpoints() {
    return Arrays.stream(workers).map(w -> w.endpoint).toList();
  }

  /** A snapshot of the counters. */
  public synchronized Stats stats() {
    return new Stats(nodesRecomputed, cacheHits, requests, retries, staleReplies, deadConnections);
  }

  /** Closes the sockets, and the context if this recomputer created it. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Worker w : workers) {
      w.reset();
    }
    try {
      selector.close();
    } catch (IOException e) {
      // Nothing is registered any more; a failing close leaks at most one descriptor.
    }
    if (ownsContext) {
      context.close();
    }
  }

  /**
   * The embeddings of {@code ids[0..count)}, recomputed by the workers with the same spreading,
   * retries and failover as distances. No per-query cache here: the caller keeps embeddings.
   */
  @Override
  public synchronized float[][] embeddings(int[] ids, int count) {
    if (closed) {
      throw new IllegalStateException("recomputer is closed");
    }
    if (count == 0) {
      return new float[0][];
    }
    try {
      List<Chunk> chunks = exchange(new Call(null, texts(Arrays.copyOf(ids, count)), RequestIds.current()), count);
      float[][] out = new float[count][];
      for (Chunk chunk : chunks) {
        System.arraycopy(chunk.vectors, 0, out, chunk.from, chunk.size());
      }
      nodesRecomputed += count;
      return out;
    } catch (RuntimeException e) {
      throw abandon(e);
    }
  }

  /**
   * Forgets the chunks still out after a failed call (their late replies are then dropped as
   * stale) and returns the failure to throw, a ZMQ error turned into a {@link RecomputeException}.
   */
  private RuntimeException abandon(RuntimeException e) {
    for (Worker w : workers) {
      w.inFlight.clear();
    }
    if (e instanceof ZMQException z) {
      return new RecomputeException("ZMQ failure talking to embed workers " + endpoints() + ": "
          + z.getMessage(), z);
    }
    return e;
  }

  private List<String> texts(int[] nodes) {
    List<String> texts = new ArrayList<>(nodes.length);
    for (int node : nodes) {
      texts.add(textOf(node));
    }
    return texts;
  }

  /** Distances of {@code nodes} from the workers, in order. */
  private float[] fetch(float[] query, int[] nodes) {
    List<Chunk> chunks = exchange(new Call(query, texts(nodes), RequestIds.current()), nodes.length);
    float[] out = new float[nodes.length];
    for (Chunk chunk : chunks) {
      System.arraycopy(chunk.distances, 0, out, chunk.from, chunk.size());
    }
    return out;
  }

  /** Sends {@code call} in chunks and waits until every chunk is answered. */
  private List<Chunk> exchange(Call call, int total) {
    // Embedding calls carry a whole rerank set at once: cut it evenly, so every worker gets a share.
    int step = call.query() != null ? options.maxBatch()
        : Math.min(options.maxBatch(), (total + workers.length - 1) / workers.length);
    List<Chunk> chunks = new ArrayList<>();
    for (int from = 0; from < total; from += step) {
      chunks.add(new Chunk(from, Math.min(total, from + step), workers.length));
    }
    for (Chunk chunk : chunks) {
      dispatch(chunk, call);
    }
    int outstanding = chunks.size();
    while (outstanding > 0) {
      long now = System.nanoTime();
      long earliest = Long.MAX_VALUE;
      for (Worker w : workers) {
        for (Chunk c : w.inFlight) {
          earliest = Math.min(earliest, c.deadlineNanos);
        }
      }
      if (earliest <= now) {
        expire(now, call);
        continue;
      }
      outstanding -= receive(Math.max(1, (earliest - now + 999_999) / 1_000_000), call);
    }
    return chunks;
  }

  private String textOf(int node) {
    String text;
    try {
      text = passageText.apply(node);
    } catch (IndexCorruptException e) {
      throw e; // the index's files are wrong, not the recompute: the caller must see it as such
    } catch (RuntimeException e) {
      throw new RecomputeException("cannot read the passage text of node " + node + ": " + e.getMessage(), e);
    }
    if (text == null) {
      throw new RecomputeException("node " + node + " has no passage text to recompute its embedding from");
    }
    return text;
  }

  /**
   * Sends {@code chunk} to the next worker that may still take it: first those it was never sent
   * to (outside their cooldown first), then those that timed out once.
   *
   * @throws RecomputeException if no worker is left to try
   */
  private void dispatch(Chunk chunk, Call call) {
    while (true) {
      Worker worker = pick(chunk);
      if (worker == null) {
        throw allFailed(chunk);
      }
      ZMQ.Socket socket = worker.socket();
      if (socket == null) {
        chunk.attempts[worker.index] = ATTEMPTS_PER_WORKER;
        continue;
      }
      if (Arrays.stream(chunk.attempts).anyMatch(a -> a > 0)) {
        retries++;
      }
      chunk.attempts[worker.index]++;
      chunk.requestId = nextRequestId++;
      List<String> slice = call.texts().subList(chunk.from, chunk.to);
      byte[] frame = NativeCodec.encode(chunk.requestId, call.traceId(), call.query() == null
          ? new NativeMessage.Embed(slice)
          : new NativeMessage.Distances(metric, call.query(), slice));
      requests++;
      if (socket.sendMore(new byte[0]) && socket.send(frame, ZMQ.DONTWAIT)) {
        chunk.deadlineNanos = System.nanoTime() + options.timeout().toNanos();
        worker.inFlight.add(chunk);
        return;
      }
      fail(worker, "send queue full", call);
    }
  }

  private Worker pick(Chunk chunk) {
    long now = System.nanoTime();
    Worker cooling = null;
    Worker again = null;
    for (int i = 0; i < workers.length; i++) {
      int index = (roundRobin + i) % workers.length;
      Worker w = workers[index];
      int attempts = chunk.attempts[index];
      if (attempts == 0 && w.coolUntilNanos - now <= 0) {
        roundRobin = index + 1;
        return w;
      }
      if (attempts == 0 && cooling == null) {
        cooling = w;
      } else if (attempts < ATTEMPTS_PER_WORKER && again == null) {
        again = w;
      }
    }
    return cooling != null ? cooling : again;
  }

  /** Fails the workers holding chunks past their deadline; their chunks go elsewhere. */
  private void expire(long now, Call call) {
    for (Worker w : workers) {
      for (Chunk c : w.inFlight) {
        if (c.deadlineNanos <= now) {
          fail(w, "timed out after " + options.timeout().toMillis() + " ms", call);
          break;
        }
      }
    }
  }

  /** Resets {@code worker}'s socket, starts its cooldown and re-sends every chunk it held. */
  private void fail(Worker worker, String reason, Call call) {
    worker.lastFailure = reason;
    worker.coolUntilNanos = System.nanoTime() + options.cooldown().toNanos();
    worker.reset();
    List<Chunk> orphans = new ArrayList<>(worker.inFlight);
    worker.inFlight.clear();
    for (Chunk c : orphans) {
      dispatch(c, call);
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for replies and handles all that arrived.
   *
   * @return the number of chunks completed
   */
  private int receive(long timeoutMillis, Call call) {
    List<Worker> waiting = new ArrayList<>();
    for (Worker w : workers) {
      if (!w.inFlight.isEmpty()) {
        waiting.add(w);
      }
    }
    ZMQ.PollItem[] items = new ZMQ.PollItem[waiting.size()];
    for (int i = 0; i < items.length; i++) {
      items[i] = new ZMQ.PollItem(waiting.get(i).socket, ZMQ.Poller.POLLIN);
    }
    ZMQ.poll(selector, items, timeoutMillis);
    int completed = 0;
    for (int i = 0; i < items.length; i++) {
      if (items[i].isReadable()) {
        completed += drain(waiting.get(i), call);
      }
    }
    return completed;
  }

  private int drain(Worker worker, Call call) {
    int completed = 0;
    ZMsg msg;
    while (worker.socket != null && (msg = ZMsg.recvMsg(worker.socket, ZMQ.DONTWAIT)) != null) {
      byte[] payload = msg.getLast().getData();
      msg.destroy();
      NativeFrame frame;
      try {
        frame = NativeCodec.decode(payload);
      } catch (MalformedFrameException e) {
        Chunk owner = find(worker, NativeCodec.peekRequestId(payload));
        if (owner != null) {
          retry(worker, owner, "malformed reply: " + e.getMessage(), call);
        } else {
          staleReplies++;
        }
        continue;
      }
      Chunk chunk = find(worker, frame.requestId());
      if (chunk == null) {
        staleReplies++;
        continue;
      }
      String problem = check(frame.message(), chunk, call);
      if (problem != null) {
        retry(worker, chunk, problem, call);
        continue;
      }
      if (frame.message() instanceof NativeMessage.EmbedReply e) {
        chunk.vectors = e.vectors();
      } else {
        chunk.distances = ((NativeMessage.DistancesReply) frame.message()).distances();
      }
      worker.inFlight.remove(chunk);
      completed++;
    }
    return completed;
  }

  private static Chunk find(Worker worker, long requestId) {
    for (Chunk c : worker.inFlight) {
      if (c.requestId == requestId) {
        return c;
      }
    }
    return null;
  }

  /** What is wrong with a reply to {@code chunk}, or null if it is usable. */
  private static String check(NativeMessage reply, Chunk chunk, Call call) {
    if (reply instanceof NativeMessage.Error e) {
      return "error " + e.code() + ": " + e.message();
    }
    if (call.query() == null) {
      if (!(reply instanceof NativeMessage.EmbedReply e)) {
        return "unexpected reply type " + reply.type();
      }
      if (e.vectors().length != chunk.size()) {
        return "returned " + e.vectors().length + " embeddings for " + chunk.size() + " texts";
      }
      for (float[] v : e.vectors()) {
        for (float f : v) {
          if (!Float.isFinite(f)) {
            return "returned a non-finite embedding";
          }
        }
      }
      return null;
    }
    if (!(reply instanceof NativeMessage.DistancesReply d)) {
      return "unexpected reply type " + reply.type();
    }
    if (d.distances().length != chunk.size()) {
      return "returned " + d.distances().length + " distances for " + chunk.size() + " nodes";
    }
    for (float f : d.distances()) {
      if (Float.isNaN(f)) {
        return "returned NaN distances";
      }
    }
    return null;
  }

  /**
   * The worker answered, so its socket is sound: only this chunk moves on, and the worker keeps
   * serving the others.
   */
  private void retry(Worker worker, Chunk chunk, String problem, Call call) {
    worker.lastFailure = problem;
    worker.inFlight.remove(chunk);
    chunk.attempts[worker.index] = ATTEMPTS_PER_WORKER;
    dispatch(chunk, call);
  }

  private RecomputeException allFailed(Chunk chunk) {
    StringBuilder why = new StringBuilder();
    for (int i = 0; i < workers.length; i++) {
      if (chunk.attempts[i] > 0) {
        why.append(why.isEmpty() ? "" : "; ").append(workers[i].endpoint).append(": ")
            .append(workers[i].lastFailure);
      }
    }
    return new RecomputeException("all " + workers.length + " embed workers failed to recompute a batch of "
        + chunk.size() + " nodes (timeout " + options.timeout().toMillis() + " ms per request, "
        + ATTEMPTS_PER_WORKER + " tries per worker): " + why);
  }
}
