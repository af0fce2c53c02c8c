package io.leann.coordinator.ingest.gitignore;

import java.util.Map;
import java.util.Optional;

/**
 * Translates the glob body of a gitignore pattern (negation, anchoring and trailing slash already
 * removed) into a {@link java.util.regex.Pattern} source with wildmatch's {@code WM_PATHNAME}
 * semantics: no wildcard ever matches {@code /} except {@code **} standing as a whole component.
 *
 * <p>Stateless; all methods are thread-safe.
 */
final class GlobTranslator {

  private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
      Map.entry("alnum", "\\p{Alnum}"), Map.entry("alpha", "\\p{Alpha}"),
      Map.entry("blank", "\\p{Blank}"), Map.entry("cntrl", "\\p{Cntrl}"),
      Map.entry("digit", "\\p{Digit}"), Map.entry("graph", "\\p{Graph}"),
      Map.entry("lower", "\\p{Lower}"), Map.entry("print", "\\p{Print}"),
      Map.entry("punct", "\\p{Punct}"), Map.entry("space", "\\s"),
      Map.entry("upper", "\\p{Upper}"), Map.entry("xdigit", "\\p{XDigit}"));

  private GlobTranslator() {
  }

  /** The regex source for {@code glob}, or empty when the glob is malformed and must match nothing. */
  static Optional<String> toRegex(String glob) {
    StringBuilder out = new StringBuilder(glob.length() * 2);
    int n = glob.length();
    int i = 0;
    while (i < n) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          int stars = 0;
          while (i < n && glob.charAt(i) == '*') {
            stars++;
            i++;
          }
          boolean componentStart = out.isEmpty() || glob.charAt(i - stars - 1) == '/';
          boolean componentEnd = i == n || glob.charAt(i) == '/';
          if (stars >= 2 && componentStart && componentEnd) {
            if (i == n) {
              out.append(".*");
            } else {
              // "**/" may also match nothing, so "a/**/b" matches "a/b".
              out.append("(?:.*/)?");
              i++;
            }
          } else {
            out.append("[^/]*");
          }
        }
        case '?' -> {
          out.append("[^/]");
          i++;
        }
        case '[' -> {
          int close = bracketEnd(glob, i);
          if (close < 0) {
            out.append("\\[");
            i++;
          } else {
            Optional<String> bracket = bracket(glob.substring(i + 1, close));
            if (bracket.isEmpty()) {
              return Optional.empty();
            }
            out.append(bracket.get());
            i = close + 1;
          }
        }
        case '\\' -> {
          if (i + 1 == n) {
            return Optional.empty();
          }
          appendLiteral(out, glob.charAt(i + 1));
          i += 2;
        }
        default -> {
          appendLiteral(out, c);
          i++;
        }
      }
    }
    return Optional.of(out.toString());
  }

  /**
   * Index of the {@code ]} closing the bracket expression opened at {@code open}, or -1. A
   * {@code ]} right after the opening (or after its negation mark) is a member, not the end.
   */
  private static int bracketEnd(String glob, int open) {
    int i = open + 1;
    if (i < glob.length() && (glob.charAt(i) == '!' || glob.charAt(i) == '^')) {
      i++;
    }
    if (i < glob.length() && glob.charAt(i) == ']') {
      i++;
    }
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '[' && i + 1 < glob.length() && glob.charAt(i + 1) == ':') {
        int end = glob.indexOf(":]", i + 2);
        i = end < 0 ? i + 1 : end + 2;
      } else if (c == ']') {
        return i;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** A Java character class for the inside of a bracket expression, never matching {@code /}. */
  private static Optional<String> bracket(String body) {
    boolean negate = !body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^');
    int i = negate ? 1 : 0;
    StringBuilder members = new StringBuilder();
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c == '[' && i + 1 < body.length() && body.charAt(i + 1) == ':') {
        int end = body.indexOf(":]", i + 2);
        String cls = end < 0 ? null : POSIX_CLASSES.get(body.substring(i + 2, end));
        if (cls == null) {
          return Optional.empty();
        }
        members.append(cls);
        i = end + 2;
        continue;
      }
      char lo = c;
      int next = i + 1;
      if (c == '\\' && next < body.length()) {
        lo = body.charAt(next);
        next++;
      }
      if (next + 1 < body.length() && body.charAt(next) == '-') {
        int hiAt = next + 1;
        char hi = body.charAt(hiAt);
        if (hi == '\\' && hiAt + 1 < body.length()) {
          hi = body.charAt(hiAt + 1);
          hiAt++;
        }
        if (hi < lo) {
          // wildmatch treats an inverted range as matching nothing in it; keep the class well-formed.
          i = hiAt + 1;
          continue;
        }
        members.append(escapeInClass(lo)).append('-').append(escapeInClass(hi));
        i = hiAt + 1;
      } else {
        members.append(escapeInClass(lo));
        i = next;
      }
    }
    if (members.isEmpty()) {
      return Optional.of(negate ? "[^/]" : "(?!)");
    }
    return Optional.of(negate ? "[^/" + members + "]" : "[" + members + "&&[^/]]");
  }

  private static String escapeInClass(char c) {
    return switch (c) {
      case '\\', '[', ']', '^', '-', '&' -> "\\" + c;
      default -> String.valueOf(c);
    };
  }

  private static void appendLiteral(StringBuilder out, char c) {
    if ("\\.[]{}()<>*+-=!?^$|".indexOf(c) >= 0) {
      out.append('\\');
    }
    out.append(c);
  }
}
