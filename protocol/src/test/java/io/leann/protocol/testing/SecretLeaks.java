package io.leann.protocol.testing;

import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Assertions that a secret (an API key a test gave to a client) shows nowhere: not whole, and not
 * any part of it 8 or more characters long, compared without case, since providers quote keys in
 * part ("sk-abc12...wxyz"). Checked independently of the production redaction, by brute force.
 * Shared with the other modules' tests through protocol's test jar.
 */
public final class SecretLeaks {
  /** The shortest part of a secret that counts as a leak. */
  public static final int MIN_FRAGMENT = 8;

  private SecretLeaks() {}

  /** Fails naming {@code where} if {@code text} holds {@code secret} or an 8+-character part of it. */
  public static void assertNoSecret(String secret, String where, String text) {
    if (text == null) {
      return;
    }
    String haystack = text.toLowerCase(Locale.ROOT);
    String needle = secret.toLowerCase(Locale.ROOT);
    int width = Math.min(MIN_FRAGMENT, needle.length());
    for (int i = 0; i + width <= needle.length(); i++) {
      String part = needle.substring(i, i + width);
      if (haystack.contains(part)) {
        fail(where + " leaks '" + part + "' of the key: " + text);
      }
    }
  }

  /** Checks the message of {@code failure} and of every cause, and its printed stack trace. */
  public static void assertNoSecret(String secret, Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 64; t = t.getCause(), depth++) {
      assertNoSecret(secret, "the message of " + t.getClass().getName() + " (depth " + depth + ")", t.getMessage());
      assertNoSecret(secret, "toString of " + t.getClass().getName(), t.toString());
    }
    assertNoSecret(secret, "the stack trace", stackTrace(failure));
  }

  /** What {@code printStackTrace} prints, as {@code -v} shows it. */
  public static String stackTrace(Throwable failure) {
    StringWriter out = new StringWriter();
    failure.printStackTrace(new PrintWriter(out, true));
    return out.toString();
  }

  /**
   * Captures everything logged under the named loggers (at every level, whatever the test's
   * logback configuration says) until closed, which restores their levels.
   */
  public static final class Logs implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger[] loggers;
    private final Level[] levels;

    public Logs(String... names) {
      appender.start();
      loggers = new Logger[names.length];
      levels = new Level[names.length];
      for (int i = 0; i < names.length; i++) {
        loggers[i] = (Logger) LoggerFactory.getLogger(names[i]);
        levels[i] = loggers[i].getLevel();
        loggers[i].setLevel(Level.ALL);
        loggers[i].addAppender(appender);
      }
    }

    /** Every event's logger, level, message and printed throwable, one after the other. */
    public String text() {
      return appender.list.stream().map(e -> e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage()
              + (e.getThrowableProxy() instanceof ThrowableProxy p ? "\n" + stackTrace(p.getThrowable()) : ""))
          .collect(Collectors.joining("\n"));
    }

    public int events() {
      return appender.list.size();
    }

    @Override
    public void close() {
      for (int i = 0; i < loggers.length; i++) {
        loggers[i].detachAppender(appender);
        loggers[i].setLevel(levels[i]);
      }
      appender.stop();
    }
  }
}
