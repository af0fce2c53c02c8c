package io.leann.coordinator.http;

import java.util.Locale;

/**
 * What an API key may do. Scopes are ordered and each includes the ones below it, as in Qdrant
 * (read-only key, full key) and Elasticsearch's built-in roles: an admin key can write and read, a
 * write key can read.
 *
 * <ul>
 *   <li>{@link #READ}: list and describe indexes, search, chat, the agent, the MCP tools, metrics.
 *   <li>{@link #WRITE}: create and delete indexes, ingest and delete documents, follow jobs.
 *   <li>{@link #ADMIN}: {@code /admin/*}: nodes, shard placement, rebalancing.
 * </ul>
 */
public enum Scope {
  READ, WRITE, ADMIN;

  /** Whether a key with this scope may do what {@code needed} allows. */
  public boolean includes(Scope needed) {
    return compareTo(needed) >= 0;
  }

  /** The name used in keys files and error messages: {@code read}, {@code write}, {@code admin}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The scope called {@code label} (any case), or null if there is none. */
  static Scope byLabel(String label) {
    for (Scope s : values()) {
      if (s.label().equalsIgnoreCase(label)) {
        return s;
      }
    }
    return null;
  }
}
