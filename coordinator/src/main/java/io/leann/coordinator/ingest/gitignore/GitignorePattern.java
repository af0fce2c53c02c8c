package io.leann.coordinator.ingest.gitignore;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line of a {@code .gitignore} file, compiled to a regular expression with git's semantics
 * (gitignore(5) plus wildmatch with {@code WM_PATHNAME}):
 *
 * <ul>
 *   <li>blank lines and lines starting with {@code #} match nothing; {@code \#} and {@code \!}
 *       escape a leading {@code #} or {@code !};
 *   <li>trailing spaces are dropped unless escaped with a backslash;
 *   <li>a leading {@code !} negates the pattern (re-includes what an earlier pattern excluded);
 *   <li>a trailing {@code /} makes the pattern match directories only;
 *   <li>a pattern containing a {@code /} anywhere else is anchored: it is matched against the path
 *       relative to the directory of its {@code .gitignore} (a leading {@code /} only anchors); a
 *       pattern without one is matched against the last path component at any depth;
 *   <li>{@code *} matches anything but {@code /}, {@code ?} one character but {@code /},
 *       {@code [...]} a bracket expression (ranges, {@code !} or {@code ^} negation, POSIX
 *       classes such as {@code [:digit:]}; never {@code /});
 *   <li>{@code **} as a whole path component matches any number of directories: {@code **}/x in
 *       all directories, x/{@code **} everything inside x, a/{@code **}/b zero or more directories
 *       between; any other run of stars behaves like a single {@code *};
 *   <li>a backslash makes the next character literal.
 * </ul>
 *
 * <p>A malformed pattern (trailing lone backslash, unknown POSIX class) matches nothing, as it does
 * in git; an unterminated {@code [} is taken literally. Matching is case-sensitive (git's default
 * on Linux). Immutable and thread-safe.
 */
public final class GitignorePattern {

  private final Pattern regex;
  private final boolean negated;
  private final boolean directoryOnly;
  private final boolean anchored;

  private GitignorePattern(Pattern regex, boolean negated, boolean directoryOnly, boolean anchored) {
    this.regex = regex;
    this.negated = negated;
    this.directoryOnly = directoryOnly;
    this.anchored = anchored;
  }

  /** The compiled pattern of one {@code .gitignore} line, or empty for blanks, comments and malformed lines. */
  public static Optional<GitignorePattern> parse(String line) {
    String body = stripTrailingSpaces(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
    if (body.isEmpty() || body.startsWith("#")) {
      return Optional.empty();
    }
    boolean negated = body.startsWith("!");
    if (negated) {
      body = body.substring(1);
    }
    boolean directoryOnly = body.endsWith("/") && !isEscaped(body, body.length() - 1);
    if (directoryOnly) {
      body = body.substring(0, body.length() - 1);
    }
    boolean anchored = body.indexOf('/') >= 0;
    if (body.startsWith("/")) {
      body = body.substring(1);
    }
    if (body.isEmpty()) {
      return Optional.empty();
    }
    return GlobTranslator.toRegex(body)
        .map(regex -> new GitignorePattern(Pattern.compile(regex, Pattern.DOTALL), negated, directoryOnly, anchored));
  }

  /** Whether this pattern re-includes (starts with {@code !}) rather than excludes. */
  public boolean negated() {
    return negated;
  }

  /**
   * Whether the pattern matches a path.
   *
   * @param relativePath path relative to the directory of this pattern's {@code .gitignore},
   *                     components separated by {@code /}, no leading or trailing {@code /}
   * @param isDirectory  whether the path names a directory
   */
  public boolean matches(String relativePath, boolean isDirectory) {
    if (directoryOnly && !isDirectory) {
      return false;
    }
    String subject = anchored ? relativePath : relativePath.substring(relativePath.lastIndexOf('/') + 1);
    return regex.matcher(subject).matches();
  }

  private static String stripTrailingSpaces(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == ' ' && !isEscaped(s, end - 1)) {
      end--;
    }
    return s.substring(0, end);
  }

  /** Whether the character at {@code index} is preceded by an odd number of backslashes. */
  private static boolean isEscaped(String s, int index) {
    int backslashes = 0;
    for (int i = index - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }
}
