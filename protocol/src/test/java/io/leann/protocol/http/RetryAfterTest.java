package io.leann.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  @Test
  void readsDeltaSeconds() {
    assertEquals(Optional.of(Duration.ZERO), ProviderHttp.parseRetryAfter("0"));
    assertEquals(Optional.of(Duration.ofSeconds(120)), ProviderHttp.parseRetryAfter(" 120 "));
  }

  @Test
  void readsHttpDates() {
    String past = "Wed, 21 Oct 2015 07:28:00 GMT";
    assertEquals(Optional.of(Duration.ZERO), ProviderHttp.parseRetryAfter(past));
    String soon = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
    Duration wait = ProviderHttp.parseRetryAfter(soon).orElseThrow();
    assertTrue(wait.compareTo(Duration.ofSeconds(25)) > 0
        && wait.compareTo(Duration.ofSeconds(31)) < 0, wait.toString());
  }

  @Test
  void ignoresGarbage() {
    assertEquals(Optional.empty(), ProviderHttp.parseRetryAfter("soon"));
  }
}
