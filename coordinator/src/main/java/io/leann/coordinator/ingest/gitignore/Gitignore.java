package io.leann.coordinator.ingest.gitignore;

import java.util.ArrayList;
import java.util.List;

/**
 * The patterns of one ignore file ({@code .gitignore} or {@code .git/info/exclude}) and the
 * directory they apply to. Within one file the last matching pattern decides, as in git.
 *
 * <p>Paths are {@code /}-separated and relative to a fixed root shared by every file of one
 * {@link IgnoreMatcher} (the repository root, or the walked directory outside a repository).
 * Immutable and thread-safe.
 */
public final class Gitignore {

  /** The verdict of one ignore file on one path. */
  public enum Verdict {
    /** A pattern excludes the path. */
    IGNORED,
    /** A negated pattern re-includes the path. */
    INCLUDED,
    /** No pattern of this file matches; an outer file or the default (included) decides. */
    NO_MATCH
  }

  private final String baseDir;
  private final List<GitignorePattern> patterns;

  private Gitignore(String baseDir, List<GitignorePattern> patterns) {
    this.baseDir = baseDir;
    this.patterns = patterns;
  }

  /**
   * Parses the content of an ignore file.
   *
   * @param baseDir directory holding the file, relative to the matcher's root ({@code ""} for the
   *                root itself), without leading or trailing {@code /}
   * @param content the file's text; {@code \n} or {@code \r\n} line ends
   */
  public static Gitignore parse(String baseDir, String content) {
    List<GitignorePattern> patterns = new ArrayList<>();
    for (String line : content.split("\n", -1)) {
      GitignorePattern.parse(line).ifPresent(patterns::add);
    }
    return new Gitignore(baseDir, List.copyOf(patterns));
  }

  /** Whether the file holds no pattern at all (only blanks and comments, or nothing). */
  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /**
   * This file's verdict on a path relative to the matcher's root. Paths outside the file's base
   * directory get {@link Verdict#NO_MATCH}.
   */
  public Verdict verdict(String path, boolean isDirectory) {
    String relative;
    if (baseDir.isEmpty()) {
      relative = path;
    } else if (path.length() > baseDir.length() + 1 && path.startsWith(baseDir) && path.charAt(baseDir.length()) == '/') {
      relative = path.substring(baseDir.length() + 1);
    } else {
      return Verdict.NO_MATCH;
    }
    for (int i = patterns.size() - 1; i >= 0; i--) {
      GitignorePattern pattern = patterns.get(i);
      if (pattern.matches(relative, isDirectory)) {
        return pattern.negated() ? Verdict.INCLUDED : Verdict.IGNORED;
      }
    }
    return Verdict.NO_MATCH;
  }
}
