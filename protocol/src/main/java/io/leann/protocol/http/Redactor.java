package io.leann.protocol.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Takes the secrets an HTTP client holds (API keys) out of everything it lets go of: exception
 * messages and their causes, quoted error bodies, log lines. Every outbound HTTP client (the
 * embedding providers' {@link JsonHttp}, the chat providers' streaming client) owns one, made from
 * the keys it sends.
 *
 * <p>Providers quote a rejected key back, whole or in part ("Incorrect API key provided:
 * sk-abc...wxyz"), so removing exact copies is not enough. The rule: every run of characters that
 * is a substring of a secret at least {@value #MIN_FRAGMENT} characters long becomes
 * {@value #MARK}, compared without case; a secret shorter than that (a placeholder such as
 * {@code EMPTY} that local servers accept) is replaced where it stands as a word of its own, not
 * inside other words. Shorter fragments, such as the last four characters a vendor shows, cannot rebuild a key
 * and stay. Words shaped like the big vendors' keys ({@code sk-...}, {@code AIza...}) and masked
 * echoes ({@code sk-ab****wxyz}) are replaced too, since a proxy may quote a key this client never
 * held.
 *
 * <p>Exceptions from libraries (an {@code IOException}, a JSON parser's error quoting the body)
 * may carry a secret in their message; {@link #scrub} replaces such a cause chain with copies
 * whose messages are redacted, keeping classes' names and stack traces, so {@code -v} stack
 * traces and logged failures show what happened and never the key.
 *
 * <p>Immutable and thread-safe.
 */
public final class Redactor {
  /** What a secret, or a part of one, is replaced by. */
  public static final String MARK = "[REDACTED]";
  /** The shortest part of a secret that is replaced wherever it occurs. */
  public static final int MIN_FRAGMENT = 8;

  /** Key-like words: OpenAI/Anthropic keys, Google keys, and the masked echoes some vendors send. */
  private static final Pattern KEY_LIKE = Pattern.compile(
      "sk-[A-Za-z0-9_\\-]{6,}|AIza[0-9A-Za-z_\\-]{10,}|[A-Za-z0-9_\\-]*\\*{3,}[A-Za-z0-9_\\-]*");
  /** Cause chains are short; a deeper one is cut rather than followed (chains may even loop). */
  private static final int MAX_DEPTH = 64;

  /** Lower-cased {@link #MIN_FRAGMENT}-character windows of the long secrets. */
  private final Set<String> fragments;
  /** Lower-cased secrets shorter than {@link #MIN_FRAGMENT}. */
  private final List<String> shortSecrets;

  private Redactor(Set<String> fragments, List<String> shortSecrets) {
    this.fragments = fragments;
    this.shortSecrets = shortSecrets;
  }

  /** A redactor for {@code secrets}; null and blank values are ignored (key-like words still go). */
  public static Redactor of(String... secrets) {
    Set<String> fragments = new HashSet<>();
    List<String> shortSecrets = new ArrayList<>();
    for (String secret : Arrays.stream(secrets).filter(Objects::nonNull).toList()) {
      String s = lower(secret.strip());
      if (s.isEmpty()) {
        continue;
      }
      if (s.length() < MIN_FRAGMENT) {
        shortSecrets.add(s);
      }
      for (int i = 0; i + MIN_FRAGMENT <= s.length(); i++) {
        fragments.add(s.substring(i, i + MIN_FRAGMENT));
      }
    }
    return new Redactor(Set.copyOf(fragments), List.copyOf(shortSecrets));
  }

  /** {@code text} with every secret, part of one ({@value #MIN_FRAGMENT}+ chars) and key-like word replaced. */
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String lower = lower(text);
    boolean[] secret = new boolean[text.length()];
    boolean any = false;
    // A run of 8+ characters occurring in a secret is exactly a union of 8-character windows that do.
    for (int i = 0; i + MIN_FRAGMENT <= lower.length(); i++) {
      if (fragments.contains(lower.substring(i, i + MIN_FRAGMENT))) {
        Arrays.fill(secret, i, i + MIN_FRAGMENT, true);
        any = true;
      }
    }
    for (String s : shortSecrets) {
      for (int at = lower.indexOf(s); at >= 0; at = lower.indexOf(s, at + 1)) {
        int end = at + s.length();
        if ((at == 0 || !isKeyChar(lower.charAt(at - 1))) && (end == lower.length() || !isKeyChar(lower.charAt(end)))) {
          Arrays.fill(secret, at, end, true);
          any = true;
        }
      }
    }
    String out = any ? replaceRuns(text, secret) : text;
    return KEY_LIKE.matcher(out).replaceAll(MARK);
  }

  /**
   * {@code failure} itself when neither it nor any cause or suppressed exception carries a secret
   * in its message; otherwise a copy of the chain down to the last such exception, each copy a
   * {@link RedactedException} with the original's class name, redacted message and stack trace.
   */
  public Throwable scrub(Throwable failure) {
    return scrub(failure, 0);
  }

  private Throwable scrub(Throwable failure, int depth) {
    if (failure == null || depth >= MAX_DEPTH) {
      return null;
    }
    if (isClean(failure, Collections.newSetFromMap(new IdentityHashMap<>()), depth)) {
      return failure;
    }
    RedactedException copy = new RedactedException(failure.getClass().getName(),
        redact(failure.getMessage()), scrub(failure.getCause(), depth + 1));
    copy.setStackTrace(failure.getStackTrace());
    for (Throwable suppressed : failure.getSuppressed()) {
      Throwable clean = scrub(suppressed, depth + 1);
      if (clean != null) {
        copy.addSuppressed(clean);
      }
    }
    return copy;
  }

  private boolean isClean(Throwable t, Set<Throwable> seen, int depth) {
    if (t == null || !seen.add(t)) {
      return true;
    }
    if (depth >= MAX_DEPTH) {
      return false;
    }
    if (!same(t.getMessage()) || !same(t.toString())) {
      return false;
    }
    for (Throwable suppressed : t.getSuppressed()) {
      if (!isClean(suppressed, seen, depth + 1)) {
        return false;
      }
    }
    return isClean(t.getCause(), seen, depth + 1);
  }

  private boolean same(String text) {
    return text == null || text.equals(redact(text));
  }

  @Override
  public String toString() {
    return "Redactor[" + (fragments.size() + shortSecrets.size() > 0 ? "with secrets" : "key-like words only") + "]";
  }

  private static boolean isKeyChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-';
  }

  private static String replaceRuns(String text, boolean[] secret) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      if (!secret[i]) {
        out.append(text.charAt(i));
      } else if (i == 0 || !secret[i - 1]) {
        out.append(MARK);
      }
    }
    return out.toString();
  }

  /** Lower case char by char, so indexes in the result are indexes in the original. */
  private static String lower(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      chars[i] = Character.toLowerCase(chars[i]);
    }
    return new String(chars);
  }

  /**
   * Stands in for an exception whose message held a secret: same class name (in
   * {@link #toString()}, so stack traces read as the original's), redacted message, original
   * stack trace, scrubbed cause.
   */
  public static final class RedactedException extends Exception {
    private final String originalClass;

    RedactedException(String originalClass, String message, Throwable cause) {
      super(message, cause);
      this.originalClass = originalClass;
    }

    /** The class of the exception this stands in for. */
    public String originalClass() {
      return originalClass;
    }

    @Override
    public String toString() {
      return getMessage() == null ? originalClass : originalClass + ": " + getMessage();
    }
  }
}
