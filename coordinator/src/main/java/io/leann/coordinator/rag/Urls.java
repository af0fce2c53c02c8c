package io.leann.coordinator.rag;

import java.net.URI;
import java.net.URISyntaxException;

/** Server addresses as users write them in flags and environment variables. */
final class Urls {
  private Urls() {}

  /**
   * {@code value} as an http(s) URI without trailing slashes, so paths can be appended.
   *
   * @param what the flag or variable it came from, for the message
   * @throws LlmException {@link LlmException.Kind#NOT_CONFIGURED} when it is not an http(s) URL
   */
  static URI base(String value, String what) {
    String trimmed = value.strip();
    int end = trimmed.length();
    while (end > 0 && trimmed.charAt(end - 1) == '/') {
      end--;
    }
    try {
      URI uri = new URI(trimmed.substring(0, end));
      if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below with the value as given
    }
    throw new LlmException(LlmException.Kind.NOT_CONFIGURED,
        what + " must be an http(s) URL such as http://localhost:11434, got '" + value + "'");
  }

  /** OLLAMA_HOST as the Ollama CLI reads it: scheme and port (11434) are optional. */
  static URI ollamaHost(String value, String what) {
    String host = value.strip();
    if (!host.contains("://")) {
      host = "http://" + host;
    }
    URI uri = base(host, what);
    return uri.getPort() == -1 && !value.contains("://") ? base(host + ":11434", what) : uri;
  }

  /** {@code base} followed by {@code path} (which starts with a slash). */
  static URI resolve(URI base, String path) {
    return URI.create(base.toString() + path);
  }
}
