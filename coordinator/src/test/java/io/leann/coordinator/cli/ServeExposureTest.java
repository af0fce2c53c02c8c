package io.leann.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leann serve} is secure by default: an HTTP API on a non-loopback address without a write
 * key and an admin key does not start. The refused node never binds its HTTP port; its cluster
 * port is on 127.0.0.1.
 */
class ServeExposureTest {
  @TempDir Path indexes;

  @Test
  void anExposedOpenApiIsRefused() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = LeannCli.run(Map.of("LEANN_INDEX_DIR", indexes.toString(), "LEANN_ADMIN_KEY", "only-an-admin-key"),
        new PrintWriter(out, true), new PrintWriter(err, true),
        "serve", "--roles", "coordinator", "--hostname", "127.0.0.1", "--port", "0",
        "--http-host", "0.0.0.0", "--http-port", "0");
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains("cannot serve HTTP on 0.0.0.0"), err.toString());
    assertTrue(err.toString().contains("without a write key"), err.toString());
    assertTrue(err.toString().contains("--insecure"), err.toString());
    assertFalse(err.toString().contains("only-an-admin-key"), err.toString());
    assertFalse(out.toString().contains("leann node up"), out.toString());
  }
}
