package io.leann.embed.zmq;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of a {@link RecomputeServer}, read from {@code leann.embed.server}.
 *
 * @param endpoint ZMQ endpoint to bind, e.g. {@code tcp://127.0.0.1:5557}; port 0 or {@code *}
 *     picks a free port
 * @param pollInterval longest time the socket thread sleeps before checking whether to stop
 * @param maxMessageBytes incoming messages above this size are dropped by ZMQ unread
 */
public record ServerSettings(String endpoint, Duration pollInterval, long maxMessageBytes) {

  public ServerSettings {
    if (!pollInterval.isPositive() || maxMessageBytes < 1) {
      throw new IllegalArgumentException("poll-interval and max-message-bytes must be positive: "
          + pollInterval + ", " + maxMessageBytes);
    }
  }

  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig("leann.embed.server");
    return new ServerSettings(c.getString("endpoint"), c.getDuration("poll-interval"),
        c.getBytes("max-message-bytes"));
  }

  /** These settings bound to another endpoint. */
  public ServerSettings withEndpoint(String endpoint) {
    return new ServerSettings(endpoint, pollInterval, maxMessageBytes);
  }
}
