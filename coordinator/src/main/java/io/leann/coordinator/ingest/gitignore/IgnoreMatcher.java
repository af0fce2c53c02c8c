package io.leann.coordinator.ingest.gitignore;

/**
 * The ignore files in force for one directory: its own {@code .gitignore} and those of its
 * ancestors up to the root, plus {@code .git/info/exclude}. Deeper files take precedence over
 * shallower ones, and within a file the last matching pattern wins, so the first file (from the
 * deepest) with an opinion decides; a path nobody matches is not ignored.
 *
 * <p>Built incrementally while walking down a tree: {@link #with(Gitignore)} returns a new matcher
 * for a subdirectory and leaves this one untouched. Immutable and thread-safe.
 */
public final class IgnoreMatcher {

  private static final IgnoreMatcher NONE = new IgnoreMatcher(null, null);

  private final IgnoreMatcher parent;
  private final Gitignore file;

  private IgnoreMatcher(IgnoreMatcher parent, Gitignore file) {
    this.parent = parent;
    this.file = file;
  }

  /** A matcher that ignores nothing. */
  public static IgnoreMatcher none() {
    return NONE;
  }

  /** A matcher in which {@code deeper} takes precedence over every file already held. */
  public IgnoreMatcher with(Gitignore deeper) {
    return deeper.isEmpty() ? this : new IgnoreMatcher(this, deeper);
  }

  /**
   * Whether the patterns exclude this path itself. Does not look at the path's ancestors: a tree
   * walk that never enters an ignored directory needs no more, and it keeps the walk linear.
   *
   * @param path        {@code /}-separated, relative to the matcher's root
   * @param isDirectory whether the path names a directory
   */
  public boolean isIgnored(String path, boolean isDirectory) {
    for (IgnoreMatcher m = this; m.file != null; m = m.parent) {
      switch (m.file.verdict(path, isDirectory)) {
        case IGNORED -> {
          return true;
        }
        case INCLUDED -> {
          return false;
        }
        case NO_MATCH -> {
        }
      }
    }
    return false;
  }

  /**
   * Whether git would leave this path out: the path or one of its ancestor directories is
   * ignored. As in git, a file cannot be re-included when a parent directory is excluded.
   */
  public boolean isExcluded(String path, boolean isDirectory) {
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      if (isIgnored(path.substring(0, slash), true)) {
        return true;
      }
    }
    return isIgnored(path, isDirectory);
  }
}
