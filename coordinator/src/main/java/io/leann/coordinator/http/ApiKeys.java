package io.leann.coordinator.http;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys a server accepts, each with its {@link Scope}, and which scopes need a key at all.
 *
 * <p>Keys come from the environment and from a keys file ({@link #fromConfig}):
 * {@code LEANN_READ_API_KEY} (read), {@code LEANN_API_KEY} (write), {@code LEANN_ADMIN_KEY} and, as
 * before, {@code LEANN_ADMIN_TOKEN} or {@code leann.http.admin-token} (admin); the file named by
 * {@code LEANN_KEYS_FILE} or {@code leann.http.keys-file} holds one {@code <scope> <key>} per line
 * ({@code #} starts a comment), so several keys per scope can be live while one is rotated.
 *
 * <p>Which requests need a key ({@link #needsKey}): none while no key is configured at all (a
 * development server on loopback; {@link AccessControl#checkExposure} refuses that elsewhere).
 * Once any key is configured, writes and admin routes need a key with their scope. Reads need one
 * only when a read key is configured or {@code require-read-key} is on, as Qdrant's read-only key
 * is optional: a search service is often meant to be read by anyone who can reach it.
 *
 * <p>Only SHA-256 digests are kept. A presented key is digested and compared with every configured
 * digest by {@link MessageDigest#isEqual}, without stopping at a match, so neither the position nor
 * the length of a near miss shows in the response time. No method prints a key. Immutable and
 * thread-safe.
 */
public final class ApiKeys {
  private static final ApiKeys NONE = new ApiKeys(List.of(), false);

  private record Key(Scope scope, byte[] digest) {}

  private final List<Key> keys;
  private final boolean requireReadKey;

  private ApiKeys(List<Key> keys, boolean requireReadKey) {
    this.keys = List.copyOf(keys);
    this.requireReadKey = requireReadKey;
  }

  /** No keys: every route is open. */
  public static ApiKeys none() {
    return NONE;
  }

  /**
   * These keys and {@code key} with {@code scope}.
   *
   * @throws IllegalArgumentException if the key is blank, or is already configured with another
   *     scope (which of the two was meant cannot be told)
   */
  public ApiKeys with(Scope scope, String key) {
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("an API key of the " + scope.label() + " scope is blank");
    }
    byte[] digest = digest(key.strip());
    List<Key> more = new ArrayList<>(keys);
    for (Key k : keys) {
      if (MessageDigest.isEqual(k.digest(), digest)) {
        if (k.scope() == scope) {
          return this;
        }
        throw new IllegalArgumentException("the same API key is configured for the " + k.scope().label()
            + " and the " + scope.label() + " scope; give each scope its own key");
      }
    }
    more.add(new Key(scope, digest));
    return new ApiKeys(more, requireReadKey);
  }

  /** These keys, with reads needing a key ({@code true}) even when no read key is configured. */
  public ApiKeys requiringReadKey(boolean required) {
    return new ApiKeys(keys, required);
  }

  /**
   * The keys of the environment variables and {@code leann.http.*} settings named in the class
   * comment. An unreadable or malformed keys file fails here, so a server never starts with fewer
   * keys than its operator wrote down.
   *
   * @throws IllegalArgumentException for a malformed keys file or a key given two scopes
   */
  public static ApiKeys fromConfig(Config config, Map<String, String> env) {
    ApiKeys keys = NONE;
    keys = withIfSet(keys, Scope.READ, env.get("LEANN_READ_API_KEY"));
    keys = withIfSet(keys, Scope.WRITE, env.get("LEANN_API_KEY"));
    keys = withIfSet(keys, Scope.ADMIN, env.get("LEANN_ADMIN_KEY"));
    String token = env.get("LEANN_ADMIN_TOKEN");
    if ((token == null || token.isBlank()) && config.hasPath("leann.http.admin-token")) {
      token = config.getString("leann.http.admin-token");
    }
    keys = withIfSet(keys, Scope.ADMIN, token);
    String file = env.get("LEANN_KEYS_FILE");
    if ((file == null || file.isBlank()) && config.hasPath("leann.http.keys-file")) {
      file = config.getString("leann.http.keys-file");
    }
    if (file != null && !file.isBlank()) {
      keys = keys.withFile(Path.of(file.strip()));
    }
    String require = env.get("LEANN_REQUIRE_READ_KEY");
    boolean requireRead = require != null && !require.isBlank()
        ? parseBoolean("LEANN_REQUIRE_READ_KEY", require)
        : config.hasPath("leann.http.require-read-key") && config.getBoolean("leann.http.require-read-key");
    return keys.requiringReadKey(requireRead);
  }

  /**
   * These keys and those of a keys file: one {@code <scope> <key>} per line, scope {@code read},
   * {@code write} or {@code admin}; blank lines and lines starting with {@code #} are skipped.
   * Errors name the file and the line number, never the line, which holds a key.
   */
  public ApiKeys withFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the API keys file " + file + ": " + e, e);
    }
    ApiKeys keys = this;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      Scope scope = Scope.byLabel(parts[0]);
      if (scope == null || parts.length < 2) {
        throw new IllegalArgumentException("API keys file " + file + ", line " + (i + 1)
            + ": expected '<scope> <key>' with scope read, write or admin");
      }
      try {
        keys = keys.with(scope, parts[1]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("API keys file " + file + ", line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return keys;
  }

  /**
   * The scope of the key a client presented, if it is one of these keys. Constant-time in the
   * presented key: it is compared with every configured key, whatever matched before.
   */
  public Optional<Scope> scopeOf(String presented) {
    if (presented == null) {
      return Optional.empty();
    }
    byte[] digest = digest(presented);
    Scope found = null;
    for (Key k : keys) {
      boolean match = MessageDigest.isEqual(k.digest(), digest);
      found = match && (found == null || k.scope().includes(found)) ? k.scope() : found;
    }
    return Optional.ofNullable(found);
  }

  /** Whether a request that needs {@code scope} must carry a key (see the class comment). */
  public boolean needsKey(Scope scope) {
    if (keys.isEmpty()) {
      return requireReadKey;
    }
    return scope != Scope.READ || requireReadKey || hasKey(Scope.READ);
  }

  /** Whether a key of exactly {@code scope} is configured. */
  public boolean hasKey(Scope scope) {
    return keys.stream().anyMatch(k -> k.scope() == scope);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** Counts per scope, never a key or a digest. */
  @Override
  public String toString() {
    Map<Scope, Integer> counts = new EnumMap<>(Scope.class);
    for (Scope s : Scope.values()) {
      counts.put(s, 0);
    }
    keys.forEach(k -> counts.merge(k.scope(), 1, Integer::sum));
    return "ApiKeys[read=" + counts.get(Scope.READ) + ", write=" + counts.get(Scope.WRITE) + ", admin="
        + counts.get(Scope.ADMIN) + ", requireReadKey=" + requireReadKey + "]";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ApiKeys other) || other.requireReadKey != requireReadKey || other.keys.size() != keys.size()) {
      return false;
    }
    for (int i = 0; i < keys.size(); i++) {
      Key a = keys.get(i);
      Key b = other.keys.get(i);
      if (a.scope() != b.scope() || !Arrays.equals(a.digest(), b.digest())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Boolean.hashCode(requireReadKey);
    for (Key k : keys) {
      h = 31 * h + k.scope().hashCode() * 31 + Arrays.hashCode(k.digest());
    }
    return h;
  }

  private static ApiKeys withIfSet(ApiKeys keys, Scope scope, String key) {
    return key == null || key.isBlank() ? keys : keys.with(scope, key);
  }

  private static boolean parseBoolean(String name, String value) {
    return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value.strip() + "'");
    };
  }

  /** SHA-256: every digest has the same length, so comparing them does not reveal a key's length. */
  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
