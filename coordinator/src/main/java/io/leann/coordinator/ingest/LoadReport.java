package io.leann.coordinator.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a load did: counts of loaded and skipped entries and the failures. A snapshot; the counts of
 * a {@link DocumentStream} are final once it is exhausted.
 *
 * <p>Skip counts count directory entries: a hidden or ignored directory counts once, whatever it
 * holds, because it is never entered.
 *
 * @param loaded             documents produced
 * @param bytesLoaded        total size of the files behind them
 * @param skippedHidden      entries skipped because their name starts with {@code .}
 * @param skippedIgnored     entries excluded by {@code .gitignore} rules
 * @param skippedFilteredOut files whose extension the file-type filter does not accept
 * @param skippedBinary      files that look binary (NUL bytes, or invalid UTF-8 and mostly non-text)
 * @param skippedTooLarge    files above {@link LoaderOptions#maxFileBytes()}
 * @param skippedNotRegular  symbolic links to directories (not followed, as git does not) and
 *                           special files (pipes, devices, sockets)
 * @param failures           files and directories that could not be read or parsed
 */
public record LoadReport(
    int loaded,
    long bytesLoaded,
    int skippedHidden,
    int skippedIgnored,
    int skippedFilteredOut,
    int skippedBinary,
    int skippedTooLarge,
    int skippedNotRegular,
    List<LoadFailure> failures) {

  public LoadReport {
    failures = List.copyOf(failures);
  }

  /** Number of failures. */
  public int failed() {
    return failures.size();
  }

  /** One line for a CLI, e.g. {@code "loaded 12 files (34.5 KiB); skipped 3 hidden, 1 binary; 1 failed"}. */
  public String summary() {
    List<String> skipped = new ArrayList<>();
    addIf(skipped, skippedHidden, "hidden");
    addIf(skipped, skippedIgnored, "ignored");
    addIf(skipped, skippedFilteredOut, "filtered out");
    addIf(skipped, skippedBinary, "binary");
    addIf(skipped, skippedTooLarge, "too large");
    addIf(skipped, skippedNotRegular, "not regular");
    StringBuilder s = new StringBuilder()
        .append("loaded ").append(loaded).append(loaded == 1 ? " file" : " files")
        .append(" (").append(humanBytes(bytesLoaded)).append(')');
    if (!skipped.isEmpty()) {
      s.append("; skipped ").append(String.join(", ", skipped));
    }
    if (!failures.isEmpty()) {
      s.append("; ").append(failures.size()).append(" failed");
    }
    return s.toString();
  }

  private static void addIf(List<String> out, int count, String what) {
    if (count > 0) {
      out.add(count + " " + what);
    }
  }

  private static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
