package io.leann.embed.worker;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the embed-worker pool, read from {@code leann.embed} (defaults in this module's
 * {@code reference.conf}).
 *
 * @param poolSize number of {@link EmbedWorker} actors, i.e. model calls that may run at once
 * @param dispatcher config path of the dispatcher the workers block on
 * @param maxBatchTexts texts the {@link BatchCoalescer} puts into one model call at most (a single
 *     larger request still goes out alone, whole)
 * @param batchWindow how long the coalescer waits for more requests before sending a partial batch
 * @param maxInFlight batches the coalescer lets run at once; while all run, requests accumulate
 *     into bigger batches
 * @param workerTimeout deadline of one model call
 * @param requestTimeout deadline of one request to the pool, queueing included
 */
public record EmbedSettings(int poolSize, String dispatcher, int maxBatchTexts, Duration batchWindow,
    int maxInFlight, Duration workerTimeout, Duration requestTimeout) {

  public static final String CONFIG_PATH = "leann.embed";

  public EmbedSettings {
    if (poolSize < 1 || maxBatchTexts < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("pool-size, batch.max-texts and batch.max-in-flight must be "
          + "positive: " + poolSize + ", " + maxBatchTexts + ", " + maxInFlight);
    }
    if (batchWindow.isNegative() || !workerTimeout.isPositive() || !requestTimeout.isPositive()) {
      throw new IllegalArgumentException("batch.window must not be negative and the timeouts must "
          + "be positive: " + batchWindow + ", " + workerTimeout + ", " + requestTimeout);
    }
  }

  /** Reads {@code leann.embed} from a resolved config. */
  public static EmbedSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    int poolSize = c.getInt("pool-size");
    int maxInFlight = c.getInt("batch.max-in-flight");
    return new EmbedSettings(
        poolSize,
        CONFIG_PATH + ".blocking-dispatcher",
        c.getInt("batch.max-texts"),
        c.getDuration("batch.window"),
        maxInFlight == 0 ? poolSize : maxInFlight,
        c.getDuration("worker-timeout"),
        c.getDuration("request-timeout"));
  }
}
