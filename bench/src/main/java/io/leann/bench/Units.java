package io.leann.bench;

import java.util.Locale;

/** Formatting of byte counts for the report. */
final class Units {
  private Units() {}

  /** {@code bytes} in MiB with the exact count, e.g. {@code 130.2 MiB (136524800 B)}. */
  static String bytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB (%d B)", bytes / 1048576.0, bytes);
  }
}
