package io.leann.coordinator.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.RequestIds;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped {@code logback.xml}, loaded into a private logger context: text by default with the
 * request id in brackets, one JSON object per line with {@code LEANN_LOG_FORMAT=json}, and no
 * configuration warnings either way (logback prints its status on the console when there are).
 */
class LogFormatTest {

  @Test
  void textLinesNameTheRequestId() throws Exception {
    String out = logOneLine(null);
    assertTrue(out.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  leann\\.test \\[req-7] - loaded 3 shards\\R"), out);
  }

  @Test
  void jsonLinesCarryTheMdc() throws Exception {
    String out = logOneLine("json");
    assertEquals(1, out.lines().count(), out);
    JsonNode line = new ObjectMapper().readTree(out);
    assertEquals("INFO", line.path("level").asText());
    assertEquals("leann.test", line.path("loggerName").asText());
    assertEquals("loaded 3 shards", line.path("formattedMessage").asText());
    assertEquals("req-7", line.path("mdc").path(RequestIds.MDC_KEY).asText());
    assertTrue(line.path("timestamp").asLong() > 0);
  }

  /** Configures a context as logback.xml does with {@code format}, logs one event, returns stderr. */
  private static String logOneLine(String format) throws Exception {
    LoggerContext context = new LoggerContext();
    // The MDC that org.slf4j.MDC (and so RequestIds) writes to is the global context's.
    context.setMDCAdapter(((LoggerContext) LoggerFactory.getILoggerFactory()).getMDCAdapter());
    if (format != null) {
      context.putProperty("LEANN_LOG_FORMAT", format);
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
      for (Status s : context.getStatusManager().getCopyOfStatusList()) {
        assertFalse(s.getLevel() >= Status.WARN, () -> "logback.xml: " + s);
      }
      Logger log = context.getLogger("leann.test");
      RequestIds.run("req-7", () -> log.info("loaded {} shards", 3));
    } finally {
      System.setErr(err);
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
