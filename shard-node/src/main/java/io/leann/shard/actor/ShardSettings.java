package io.leann.shard.actor;

import com.typesafe.config.Config;
import io.leann.protocol.wire.ZmqCurve;
import io.leann.shard.recompute.ZmqRecomputer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the shard actors of one node, read from {@code leann.shard} (defaults in the
 * coordinator's {@code application.conf}).
 *
 * @param indexDir {@code LEANN_INDEX_DIR}: every index lives in {@code <indexDir>/<name>/}, a
 *     directory every shard node can read (one disk locally, a shared volume in Kubernetes)
 * @param searchDispatcher config path of the dispatcher searches and shard loads block on
 * @param buildDispatcher config path of the dispatcher graph builds block on
 * @param maxPendingSearches searches a shard queues while it loads; more are refused at once
 * @param maxReplyBytes largest reply a shard sends (a little under Artery's frame size); a search
 *     whose passages would exceed it is refused with a message asking for a smaller top_k
 * @param describeTimeout how long an embed node may take to say which endpoint and model it has
 * @param allocationTimeout how long the shard coordinator waits for the desired shard locations
 * @param recompute timeouts, batching and CURVE keys of recompute requests to embed workers
 */
public record ShardSettings(Path indexDir, String searchDispatcher, String buildDispatcher,
    int maxPendingSearches, long maxReplyBytes, Duration describeTimeout, Duration allocationTimeout,
    ZmqRecomputer.Options recompute) {

  public static final String CONFIG_PATH = "leann.shard";

  public ShardSettings {
    if (maxPendingSearches < 1 || maxReplyBytes < 1) {
      throw new IllegalArgumentException("max-pending-searches and max-reply-bytes must be positive: "
          + maxPendingSearches + ", " + maxReplyBytes);
    }
    indexDir = indexDir.toAbsolutePath().normalize();
  }

  /**
   * Reads {@code leann.shard} from a resolved config.
   *
   * @param indexDir the index root, which comes from the environment, not from the config
   */
  public static ShardSettings fromConfig(Config root, Path indexDir) {
    Config c = root.getConfig(CONFIG_PATH);
    Config r = c.getConfig("recompute");
    return new ShardSettings(indexDir,
        CONFIG_PATH + ".search-dispatcher",
        CONFIG_PATH + ".build-dispatcher",
        c.getInt("max-pending-searches"),
        c.getBytes("max-reply-bytes"),
        c.getDuration("embed-describe-timeout"),
        c.getDuration("allocation-timeout"),
        new ZmqRecomputer.Options(r.getDuration("timeout"), r.getInt("max-batch"),
            r.getDuration("cooldown"), r.getDuration("handshake-timeout"),
            ZmqCurve.ClientKeys.fromSettings(r.getString("curve.server-key"), r.getString("curve.public-key"),
                r.getString("curve.secret-key"), CONFIG_PATH + ".recompute.curve (LEANN_ZMQ_SERVER_PUBLIC_KEY, "
                    + "LEANN_ZMQ_CLIENT_PUBLIC_KEY, LEANN_ZMQ_CLIENT_SECRET_KEY)")));
  }
}
