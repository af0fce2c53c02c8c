package io.leann.protocol;

/** The product version every component reports (CLI, MCP server info); the Maven version's release part. */
public final class LeannVersion {
  public static final String VERSION = "0.1.0";

  private LeannVersion() {}
}
