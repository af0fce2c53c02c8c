package io.leann.bench;

import io.leann.bench.data.Datasets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Command line of {@link AnnHarness}. Every option takes one value ({@code --m 16}); {@code --prune}
 * and {@code --help} take none. Bad input fails with a message naming the option.
 *
 * @param dataset data set name (see {@link Datasets#NAMES})
 * @param m HNSW links per node on upper levels (2m on level 0), for us and the peers
 * @param efConstruction build beam width
 * @param threads build threads (searches are always single-threaded)
 * @param efs search beam widths to sweep, ascending
 * @param k neighbours per query; recall is recall@k
 * @param queries query limit (0 = all)
 * @param train train vector limit (0 = all)
 * @param peers peer systems to run (empty for none)
 * @param prune also prune the graph and report the pruned index
 * @param recomputeEf ef of the recompute-mode check
 * @param peerTimeout deadline of each peer process
 * @param peerScript the Python peer script, or null to find it beside the jar
 */
record HarnessOptions(String dataset, int m, int efConstruction, int threads, int[] efs, int k,
    int queries, int train, List<String> peers, boolean prune, int recomputeEf,
    Duration peerTimeout, Path peerScript) {

  static final List<String> KNOWN_PEERS = List.of("hnswlib", "faiss", "lucene", "jvector");
  private static final int[] DEFAULT_EFS = {10, 20, 40, 80, 120, 200, 400};

  static final String USAGE = """
      usage: ann-bench --dataset NAME [options]
        --dataset %s
        --m N                 HNSW links per node (level 0 keeps 2N), default 16
        --ef-construction N   build beam width, default 200
        --threads N           build threads, default 2 (searches run on one thread)
        --ef LIST             search beam widths to sweep, default 10,20,40,80,120,200,400
        --k N                 neighbours per query (recall@k), default 10
        --queries N           use only the first N queries (default: all)
        --train N             index only the first N train vectors (default: all)
        --peers LIST          any of hnswlib,faiss (Python) and lucene,jvector (in this JVM);
                              default all four; or none
        --prune               also prune the graph (LEANN) and report it
        --recompute-ef N      ef of the recompute-mode check, default: the middle of --ef
        --peer-timeout SEC    kill a peer process after SEC seconds, default 3600
        --peer-script PATH    bench/peers/ann_peer.py (default: found beside the jar)
      Data are cached under $LEANN_BENCH_DATA (default ~/.cache/leann-bench).
      """.formatted(String.join("|", Datasets.NAMES));

  /** Parses {@code args}; returns null if help was asked for. */
  static HarnessOptions parse(String[] args) {
    String dataset = null;
    int m = 16;
    int efConstruction = 200;
    int threads = 2;
    int[] efs = DEFAULT_EFS;
    int k = 10;
    int queries = 0;
    int train = 0;
    List<String> peers = KNOWN_PEERS;
    boolean prune = false;
    int recomputeEf = 0;
    Duration peerTimeout = Duration.ofHours(1);
    Path peerScript = null;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--help", "-h" -> {
          return null;
        }
        case "--prune" -> prune = true;
        default -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(option.startsWith("--")
                ? option + " needs a value" : "unexpected argument '" + option + "'");
          }
          String value = args[++i];
          switch (option) {
            case "--dataset" -> dataset = value;
            case "--m" -> m = positive(option, value);
            case "--ef-construction" -> efConstruction = positive(option, value);
            case "--threads" -> threads = positive(option, value);
            case "--ef" -> efs = efList(value);
            case "--k" -> k = positive(option, value);
            case "--queries" -> queries = positive(option, value);
            case "--train" -> train = positive(option, value);
            case "--peers" -> peers = peerList(value);
            case "--recompute-ef" -> recomputeEf = positive(option, value);
            case "--peer-timeout" -> peerTimeout = Duration.ofSeconds(positive(option, value));
            case "--peer-script" -> peerScript = Path.of(value);
            default -> throw new IllegalArgumentException("unknown option '" + option + "'");
          }
        }
      }
    }
    if (dataset == null) {
      throw new IllegalArgumentException("--dataset is required ("
          + String.join(" or ", Datasets.NAMES) + ")");
    }
    if (!Datasets.NAMES.contains(dataset)) {
      throw new IllegalArgumentException("unknown dataset '" + dataset + "' (expected "
          + String.join(" or ", Datasets.NAMES) + ")");
    }
    if (recomputeEf == 0) {
      recomputeEf = efs[efs.length / 2];
    }
    return new HarnessOptions(dataset, m, efConstruction, threads, efs, k, queries, train, peers,
        prune, recomputeEf, peerTimeout, peerScript);
  }

  private static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the option's name
    }
    throw new IllegalArgumentException(option + " needs a positive integer, got '" + value + "'");
  }

  private static int[] efList(String value) {
    int[] efs = Arrays.stream(value.split(",")).mapToInt(v -> positive("--ef", v)).sorted()
        .distinct().toArray();
    if (efs.length == 0) {
      throw new IllegalArgumentException("--ef needs at least one value");
    }
    return efs;
  }

  private static List<String> peerList(String value) {
    if (value.equals("none")) {
      return List.of();
    }
    List<String> peers = Arrays.stream(value.split(",")).map(String::trim).distinct().toList();
    for (String peer : peers) {
      if (!KNOWN_PEERS.contains(peer)) {
        throw new IllegalArgumentException("unknown peer '" + peer + "' (expected "
            + String.join(",", KNOWN_PEERS) + " or none)");
      }
    }
    return peers;
  }
}
