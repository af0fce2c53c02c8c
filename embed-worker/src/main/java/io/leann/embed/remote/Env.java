package io.leann.embed.remote;

import java.util.Map;
import java.util.Optional;

/** Reads settings from an injected environment map, so tests never see the real one. */
final class Env {
  private Env() {}

  /** The first of {@code names} that is set to a non-blank value, trimmed. */
  static Optional<String> first(Map<String, String> env, String... names) {
    for (String name : names) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return Optional.of(value.trim());
      }
    }
    return Optional.empty();
  }

  /** {@code url} without trailing slashes, so paths can be appended with one. */
  static String stripTrailingSlashes(String url) {
    int end = url.length();
    while (end > 0 && url.charAt(end - 1) == '/') {
      end--;
    }
    return url.substring(0, end);
  }
}
