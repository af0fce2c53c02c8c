package io.leann.protocol.wire;

import java.nio.charset.StandardCharsets;

/**
 * CURVE keys of the recompute sockets (CurveZMQ, which JeroMQ implements): every side has a
 * Curve25519 key pair; a client names the server's public key, so it talks to that server only,
 * and the server admits only the client public keys it lists. Keys travel as Z85 text, 40
 * characters per 32-byte key, as {@code leann keygen} prints them and JeroMQ's setters take them.
 *
 * <p>No key value ever appears in an exception message or a {@code toString}: they name the
 * setting only. Stateless and thread-safe.
 */
public final class ZmqCurve {
  /** Length of a Z85 key. */
  public static final int KEY_LENGTH = 40;
  private static final String Z85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

  private ZmqCurve() {}

  /**
   * The keys a client socket needs: the server's public key and the client's own pair.
   *
   * @param serverKey the server's public key
   * @param publicKey this client's public key, which the server must list
   * @param secretKey this client's secret key
   */
  public record ClientKeys(String serverKey, String publicKey, String secretKey) {
    public ClientKeys {
      requireKey("server-key", serverKey);
      requireKey("public-key", publicKey);
      requireKey("secret-key", secretKey);
    }

    /**
     * The keys from three settings that may each be blank: none set means no CURVE (null); some
     * set but not all is a configuration error.
     *
     * @param where the settings' names for error messages, e.g. a config path and its variables
     * @throws IllegalArgumentException if only some are set, or one is not a Z85 key
     */
    public static ClientKeys fromSettings(String serverKey, String publicKey, String secretKey, String where) {
      boolean server = !serverKey.isBlank();
      boolean pub = !publicKey.isBlank();
      boolean secret = !secretKey.isBlank();
      if (!server && !pub && !secret) {
        return null;
      }
      if (!(server && pub && secret)) {
        throw new IllegalArgumentException("CURVE client keys are incomplete in " + where
            + ": server-key, public-key and secret-key must all be set (missing:"
            + (server ? "" : " server-key") + (pub ? "" : " public-key") + (secret ? "" : " secret-key") + ")");
      }
      try {
        return new ClientKeys(serverKey.strip(), publicKey.strip(), secretKey.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage() + " (in " + where + ")", e);
      }
    }

    /** The server key and the public key; never the secret. */
    @Override
    public String toString() {
      return "ClientKeys[serverKey=" + serverKey + ", publicKey=" + publicKey + ", secretKey=<redacted>]";
    }
  }

  /**
   * Returns {@code key} if it is a Z85-encoded 32-byte key.
   *
   * @param name the setting's name, for the message (the value is never shown)
   * @throws IllegalArgumentException otherwise
   */
  public static String requireKey(String name, String key) {
    if (key == null || key.length() != KEY_LENGTH) {
      throw new IllegalArgumentException("CURVE " + name + " must be a " + KEY_LENGTH
          + "-character Z85 key (as `leann keygen` prints), got " + (key == null ? "none" : key.length() + " characters"));
    }
    for (int group = 0; group < KEY_LENGTH; group += 5) {
      long value = 0;
      for (int i = group; i < group + 5; i++) {
        int digit = Z85.indexOf(key.charAt(i));
        if (digit < 0) {
          throw new IllegalArgumentException("CURVE " + name + " has a character outside the Z85 alphabet at "
              + "position " + i);
        }
        value = value * 85 + digit;
      }
      if (value > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("CURVE " + name + " is not a valid Z85 key (group at position "
            + group + " overflows 32 bits)");
      }
    }
    return key;
  }

  /** The Z85 key as the bytes JeroMQ's key setters take. */
  public static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }
}
