package io.leann.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.testing.SecretLeaks;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String KEY = "lk-Test0Key9f3a7c21b8e64d05";
  private final Redactor redactor = Redactor.of(null, "  ", KEY);

  @Test
  void replacesTheWholeKeyAndEveryPartOfEightOrMoreCharacters() {
    assertEquals("Incorrect API key provided: [REDACTED].",
        redactor.redact("Incorrect API key provided: " + KEY + "."));
    // A vendor's masked echo: the head is long enough to matter, the last four characters are not.
    assertEquals("key [REDACTED]...4d05 rejected",
        redactor.redact("key " + KEY.substring(0, 10) + "...4d05 rejected"));
    assertEquals("[REDACTED] and [REDACTED]",
        redactor.redact(KEY.substring(3, 11) + " and " + KEY.substring(12).toUpperCase()));
    assertEquals("7 chars stay: " + KEY.substring(5, 12), redactor.redact("7 chars stay: " + KEY.substring(5, 12)));
  }

  @Test
  void mergesAdjacentPartsIntoOneMark() {
    assertEquals("x[REDACTED]y", redactor.redact("x" + KEY + KEY.substring(2, 14) + "y"));
  }

  @Test
  void shortSecretsAreReplacedWhereTheyStandAsAWord() {
    assertEquals("key [REDACTED] refused; EMPT, EMPTYish and NOT-EMPTY stay",
        Redactor.of("EMPTY").redact("key empty refused; EMPT, EMPTYish and NOT-EMPTY stay"));
    assertEquals("the API key [REDACTED] refused", Redactor.of("k").redact("the API key k refused"));
  }

  @Test
  void keyShapedWordsGoEvenWithoutSecrets() {
    Redactor none = Redactor.of();
    assertEquals("bad key [REDACTED] and [REDACTED] and [REDACTED]",
        none.redact("bad key sk-proj-abcdef123 and AIzaSyA1234567890abc and sk-ab****wxyz"));
    assertEquals("nothing to hide", none.redact("nothing to hide"));
    assertNull(none.redact(null));
  }

  @Test
  void cleanCauseChainsAreKeptAsTheyAre() {
    IOException clean = new IOException("connection reset", new IllegalStateException("closed"));
    assertSame(clean, redactor.scrub(clean));
    assertNull(redactor.scrub(null));
  }

  @Test
  void causesQuotingTheKeyAreReplacedKeepingClassAndStackTrace() {
    IOException root = new IOException("header Authorization: Bearer " + KEY);
    IllegalStateException clean = new IllegalStateException("unrelated");
    root.addSuppressed(new RuntimeException("also " + KEY));
    UncheckedIOException top = new UncheckedIOException("while reading", root);
    top.addSuppressed(clean);

    Throwable scrubbed = redactor.scrub(top);

    SecretLeaks.assertNoSecret(KEY, scrubbed);
    Redactor.RedactedException copy = assertInstanceOf(Redactor.RedactedException.class, scrubbed);
    assertEquals(UncheckedIOException.class.getName(), copy.originalClass());
    assertEquals("while reading", copy.getMessage());
    assertEquals(top.getStackTrace().length, copy.getStackTrace().length);
    assertSame(clean, copy.getSuppressed()[0], "clean suppressed exceptions are kept");
    Throwable cause = copy.getCause();
    assertEquals("java.io.IOException: header Authorization: Bearer [REDACTED]", cause.toString());
    assertTrue(SecretLeaks.stackTrace(scrubbed).contains("Caused by: java.io.IOException"),
        SecretLeaks.stackTrace(scrubbed));
    SecretLeaks.assertNoSecret(KEY, "suppressed", SecretLeaks.stackTrace(cause.getSuppressed()[0]));
  }

  @Test
  void neverShowsTheSecretsItHolds() {
    SecretLeaks.assertNoSecret(KEY, "toString", redactor.toString());
  }
}
