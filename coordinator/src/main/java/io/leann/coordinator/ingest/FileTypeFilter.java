package io.leann.coordinator.ingest;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which files a directory walk loads, by extension, case-insensitively. Files named explicitly as
 * inputs bypass the filter: the user asked for them.
 *
 * <p>Immutable and thread-safe.
 *
 * @param extensions extensions, normalised to lower case with a leading dot ({@code md},
 *                   {@code *.MD} and {@code .md} are the same); at least one
 */
public record FileTypeFilter(Set<String> extensions) {

  public FileTypeFilter {
    Set<String> normalized = new LinkedHashSet<>();
    for (String raw : extensions) {
      String ext = raw.strip().toLowerCase(Locale.ROOT);
      if (ext.startsWith("*")) {
        ext = ext.substring(1);
      }
      if (!ext.isEmpty() && !ext.equals(".")) {
        normalized.add(ext.startsWith(".") ? ext : "." + ext);
      }
    }
    if (normalized.isEmpty()) {
      throw new IllegalArgumentException("a file-type filter needs at least one extension: " + extensions);
    }
    extensions = Set.copyOf(normalized);
  }

  /** LEANN-like default set: {@link FileType#DEFAULT_EXTENSIONS}. */
  public static FileTypeFilter defaults() {
    return new FileTypeFilter(FileType.DEFAULT_EXTENSIONS);
  }

  /**
   * Parses a CLI value such as {@code ".md,.java"}; entries may omit the dot or carry a leading
   * {@code *} ({@code md}, {@code *.md}), case and surrounding spaces do not matter.
   *
   * @throws IllegalArgumentException when the list names no extension
   */
  public static FileTypeFilter parse(String list) {
    return new FileTypeFilter(Set.copyOf(Arrays.asList(list.split(","))));
  }

  /** Whether a file with this name passes; multi-dot extensions such as {@code .d.ts} work too. */
  public boolean accepts(String fileName) {
    if (extensions.contains(FileType.extension(fileName))) {
      return true;
    }
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (String ext : extensions) {
      if (lower.endsWith(ext) && lower.length() > ext.length()) {
        return true;
      }
    }
    return false;
  }
}
