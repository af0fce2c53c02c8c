package io.leann.embed.zmq;

import com.typesafe.config.Config;
import io.leann.protocol.wire.RequestLimits;
import io.leann.protocol.wire.ZmqCurve;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link RecomputeServer}, read from {@code leann.embed.server}.
 *
 * @param endpoint ZMQ endpoint to bind, e.g. {@code tcp://127.0.0.1:5557}; port 0 or {@code *}
 *     picks a free port
 * @param pollInterval longest time the socket thread sleeps before checking whether to stop
 * @param maxMessageBytes incoming messages above this size are refused by ZMQ unread (it drops the
 *     connection)
 * @param limits most ids, texts and bytes per text one request may carry
 * @param maxReplyBytes largest reply, and most bytes of embeddings one request makes the server
 *     hold; a request that would need more is refused before anything is embedded
 * @param curve CURVE keys, or null for none (allowed on loopback endpoints only)
 */
public record ServerSettings(String endpoint, Duration pollInterval, long maxMessageBytes,
    RequestLimits limits, long maxReplyBytes, Curve curve) {

  public static final String CONFIG_PATH = "leann.embed.server";
  /** The settings a non-loopback server needs, for error messages. */
  static final String CURVE_SETTINGS = CONFIG_PATH + ".curve.secret-key (LEANN_ZMQ_SERVER_SECRET_KEY) and "
      + CONFIG_PATH + ".curve.allowed-clients (LEANN_ZMQ_ALLOWED_CLIENT_KEYS)";

  /**
   * The server's CURVE secret key and the client public keys it admits (through a ZAP handler: a
   * CURVE server without one would admit any key pair).
   */
  public record Curve(String secretKey, Set<String> allowedClients) {
    public Curve {
      ZmqCurve.requireKey("secret-key", secretKey);
      allowedClients = Set.copyOf(allowedClients);
      if (allowedClients.isEmpty()) {
        throw new IllegalArgumentException("CURVE allowed-clients is empty: no client could connect");
      }
      allowedClients.forEach(k -> ZmqCurve.requireKey("allowed-clients entry", k));
    }

    /** The allowed keys, never the secret. */
    @Override
    public String toString() {
      return "Curve[secretKey=<redacted>, allowedClients=" + allowedClients + "]";
    }
  }

  public ServerSettings {
    Objects.requireNonNull(limits, "limits");
    if (!pollInterval.isPositive() || maxMessageBytes < 1 || maxReplyBytes < 1) {
      throw new IllegalArgumentException("poll-interval, max-message-bytes and max-reply-bytes must be positive: "
          + pollInterval + ", " + maxMessageBytes + ", " + maxReplyBytes);
    }
  }

  public static ServerSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    RequestLimits limits = new RequestLimits(c.getInt("max-ids"), c.getInt("max-texts"),
        Math.toIntExact(c.getBytes("max-text-bytes")));
    return new ServerSettings(c.getString("endpoint"), c.getDuration("poll-interval"),
        c.getBytes("max-message-bytes"), limits, c.getBytes("max-reply-bytes"),
        curve(c.getString("curve.secret-key"), c.getString("curve.allowed-clients")));
  }

  /** None when both are blank; an error naming the settings when only one is. */
  private static Curve curve(String secretKey, String allowedClients) {
    List<String> allowed = new ArrayList<>();
    for (String key : allowedClients.split("[,\\s]+")) {
      if (!key.isEmpty()) {
        allowed.add(key);
      }
    }
    if (secretKey.isBlank() && allowed.isEmpty()) {
      return null;
    }
    if (secretKey.isBlank() || allowed.isEmpty()) {
      throw new IllegalArgumentException("CURVE needs both " + CURVE_SETTINGS + "; only "
          + (secretKey.isBlank() ? "allowed-clients" : "secret-key") + " is set");
    }
    try {
      return new Curve(secretKey.strip(), Set.copyOf(allowed));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (in " + CONFIG_PATH + ".curve)", e);
    }
  }

  /** These settings bound to another endpoint. */
  public ServerSettings withEndpoint(String endpoint) {
    return new ServerSettings(endpoint, pollInterval, maxMessageBytes, limits, maxReplyBytes, curve);
  }

  /** These settings with other CURVE keys, or none. */
  public ServerSettings withCurve(Curve curve) {
    return new ServerSettings(endpoint, pollInterval, maxMessageBytes, limits, maxReplyBytes, curve);
  }

  /**
   * Whether the endpoint is reachable from this host only: {@code inproc} and {@code ipc}, or TCP
   * on a loopback address. {@code *}, a wildcard or an interface name count as reachable from
   * elsewhere, and so does a host name that does not resolve.
   */
  public boolean loopback() {
    if (endpoint.startsWith("inproc://") || endpoint.startsWith("ipc://")) {
      return true;
    }
    if (!endpoint.startsWith("tcp://")) {
      return false;
    }
    String address = endpoint.substring("tcp://".length());
    int colon = address.lastIndexOf(':');
    String host = colon < 0 ? address : address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || host.equals("*")) {
      return false;
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
