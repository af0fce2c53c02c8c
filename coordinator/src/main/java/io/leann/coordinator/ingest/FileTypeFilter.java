package io.leann.coordinator.ingest;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files a directory walk loads, by file name. Files named explicitly as inputs bypass the
 * filter: the user asked for them.
 *
 * <p>Entries of a filter ({@link #parse}):
 * <ul>
 *   <li>an extension, case-insensitive: {@code .md}, {@code *.md}; multi-dot ones such as
 *       {@code .d.ts} too;
 *   <li>a bare word ({@code md}, {@code copyright}, {@code README.Debian}) is both an extension
 *       ({@code .md}, as it always was) and an exact file name, case-sensitive, so files without an
 *       extension can be selected;
 *   <li>a glob over the file name, case-sensitive, when the entry holds {@code * ? [ {} other than
 *       a leading {@code *.}: {@code README*}, {@code *.[ch]}.
 * </ul>
 *
 * <p>The {@link #defaults() default} filter instead accepts every file: known types by extension
 * ({@link FileType}) and anything else when its content turns out to be text, so {@code copyright}
 * or {@code README.Debian} are loaded and binaries are skipped as binary, not as filtered out.
 *
 * <p>Immutable and thread-safe.
 */
public final class FileTypeFilter {

  private final Set<String> extensions;
  private final Set<String> names;
  private final List<String> globs;
  private final List<PathMatcher> globMatchers;
  private final boolean anyText;

  private FileTypeFilter(Set<String> extensions, Set<String> names, List<String> globs, boolean anyText) {
    this.extensions = Set.copyOf(extensions);
    this.names = Set.copyOf(names);
    this.globs = List.copyOf(globs);
    this.globMatchers = globs.stream().map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g)).toList();
    this.anyText = anyText;
  }

  /** Every known type by extension, every other file if its content is text. */
  public static FileTypeFilter defaults() {
    return new FileTypeFilter(FileType.DEFAULT_EXTENSIONS, Set.of(), List.of(), true);
  }

  /**
   * Parses a CLI value such as {@code ".md,.java,copyright,README*"}: see the class comment for the
   * entry kinds. Surrounding spaces and empty entries are ignored.
   *
   * @throws IllegalArgumentException when the list names nothing
   */
  public static FileTypeFilter parse(String list) {
    Set<String> extensions = new LinkedHashSet<>();
    Set<String> names = new LinkedHashSet<>();
    List<String> globs = new ArrayList<>();
    for (String raw : list.split(",")) {
      String entry = raw.strip();
      boolean starDot = entry.startsWith("*.");
      String rest = starDot ? entry.substring(1) : entry;
      if (hasGlobCharacter(rest) || entry.equals("*")) {
        globs.add(entry);
      } else if (rest.startsWith(".")) {
        if (rest.length() > 1) {
          extensions.add(rest.toLowerCase(Locale.ROOT));
        }
      } else if (!rest.isEmpty()) {
        extensions.add("." + rest.toLowerCase(Locale.ROOT));
        names.add(rest);
      }
    }
    if (extensions.isEmpty() && globs.isEmpty()) {
      throw new IllegalArgumentException("a file-type filter needs at least one extension, name or pattern: " + list);
    }
    return new FileTypeFilter(extensions, names, globs, false);
  }

  /** The extensions, lower case with a leading dot. */
  public Set<String> extensions() {
    return extensions;
  }

  /** Whether a file with this name passes; the default filter passes every name. */
  public boolean accepts(String fileName) {
    if (anyText || names.contains(fileName) || extensions.contains(FileType.extension(fileName))) {
      return true;
    }
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (String ext : extensions) {
      if (lower.endsWith(ext) && lower.length() > ext.length()) {
        return true;
      }
    }
    if (!globMatchers.isEmpty()) {
      Path name = Path.of(fileName);
      for (PathMatcher m : globMatchers) {
        if (m.matches(name)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean hasGlobCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("*?[{".indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileTypeFilter f && extensions.equals(f.extensions) && names.equals(f.names)
        && globs.equals(f.globs) && anyText == f.anyText;
  }

  @Override
  public int hashCode() {
    return Objects.hash(extensions, names, globs, anyText);
  }

  /** A stable description, e.g. {@code [.md, README*, copyright]} or {@code [any text]}. */
  @Override
  public String toString() {
    if (anyText) {
      return "[any text]";
    }
    TreeSet<String> all = new TreeSet<>(extensions);
    all.addAll(names);
    all.addAll(globs);
    return all.toString();
  }
}
