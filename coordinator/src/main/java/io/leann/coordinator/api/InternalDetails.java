package io.leann.coordinator.api;

import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what an error message may say about the server's insides before it reaches a client:
 * absolute file paths (reduced to their file name, {@code /root/.leann/indexes/docs/passages.jsonl}
 * becomes {@code passages.jsonl}) and Java class names ({@code io.leann...PassageStoreException: }
 * and {@code IOException: } prefixes are dropped, other qualified names reduced to their last
 * part). The original message is logged once at WARN, so an operator still has it.
 *
 * <p>Used for every message an exception contributes to an answer: {@code http.ApiErrors} (JSON bodies
 * and streamed error events) and the MCP tools' error results. A defensive last line: the services are meant to phrase their errors for clients already,
 * but a message built from a low-level exception can carry either. Relative paths (a file named
 * relative to its index directory, {@code shard-0/passages.jsonl}) and URLs are left alone.
 * Stateless and thread-safe.
 */
public final class InternalDetails {
  private static final Logger LOG = LoggerFactory.getLogger(InternalDetails.class);

  /**
   * An absolute path of two or more segments, not inside a URL ({@code http://host/a/b}) or a word;
   * group 1 is its last segment.
   */
  private static final Pattern UNIX_PATH =
      Pattern.compile("(?<![\\w.~/-])/(?:[^\\s/'\"`:;,()\\[\\]{}<>]+/)+([^\\s/'\"`:;,()\\[\\]{}<>]*)");
  private static final Pattern WINDOWS_PATH = Pattern.compile("\\b[A-Za-z]:\\\\(?:[^\\s\\\\'\"]+\\\\)*([^\\s\\\\'\"]*)");
  /** A package-qualified class name ({@code java.io.IOException}, {@code io.leann.x.Y$Z}); group 1 is the simple name. */
  private static final Pattern QUALIFIED_CLASS =
      Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.){2,}([A-Z][A-Za-z0-9_$]*)(?::\\s*)?");
  /** An exception's simple name as {@code Throwable.toString} prefixes it ({@code IOException: }). */
  private static final Pattern THROWABLE_PREFIX = Pattern.compile("\\b[A-Z][A-Za-z0-9_$]*(?:Exception|Error):\\s*");

  private InternalDetails() {}

  /** {@code message} without absolute paths and class names; null stays null. */
  public static String stripped(String message) {
    if (message == null) {
      return null;
    }
    String out = replace(QUALIFIED_CLASS, message, m -> m.group().contains(":") ? "" : m.group(1));
    out = THROWABLE_PREFIX.matcher(out).replaceAll("");
    out = replace(UNIX_PATH, out, m -> fileName(m.group(1)));
    out = replace(WINDOWS_PATH, out, m -> fileName(m.group(1)));
    if (!out.equals(message)) {
      LOG.warn("error message shortened for the client; in full: {}", message);
    }
    return out;
  }

  private static String fileName(String lastSegment) {
    return lastSegment.isEmpty() ? "a server directory" : lastSegment;
  }

  private static String replace(Pattern pattern, String text, Function<MatchResult, String> with) {
    return pattern.matcher(text).replaceAll(m -> Matcher.quoteReplacement(with.apply(m)));
  }
}
