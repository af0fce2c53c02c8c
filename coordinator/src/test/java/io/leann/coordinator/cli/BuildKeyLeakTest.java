package io.leann.coordinator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.testing.OpenAiEmbeddingsStub;
import io.leann.protocol.testing.SecretLeaks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code leann build --embedding-mode openai} against an OpenAI-compatible server that rejects the
 * key and quotes it back: exit code 1, the one-line error names the rejected key's variable, and
 * neither it, the {@code -v} stack trace, the standard output nor the log holds any part of the key.
 */
class BuildKeyLeakTest {
  static final String KEY = "lk-Test0Key9f3a7c21b8e64d05a1c2";

  @TempDir Path work;
  OpenAiEmbeddingsStub openAi;

  @BeforeEach
  void start() throws Exception {
    openAi = OpenAiEmbeddingsStub.start();
    openAi.revokeKey();
  }

  @AfterEach
  void stop() {
    openAi.close();
  }

  @ParameterizedTest(name = "verbose={0}")
  @ValueSource(booleans = {false, true})
  void aRejectedKeyFailsTheBuildWithoutShowingTheKey(boolean verbose) throws Exception {
    Path docs = Files.createDirectories(work.resolve("docs"));
    Files.writeString(docs.resolve("reef.txt"), "Coral reefs bleach when the sea warms.");
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", work.resolve("indexes").toString(), "HOME", work.toString(),
        "OPENAI_BASE_URL", openAi.baseUrl(), "OPENAI_API_KEY", KEY);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (SecretLeaks.Logs logs = new SecretLeaks.Logs("io.leann")) {
      String[] args = verbose
          ? new String[] {"build", "reef", "--docs", docs.toString(), "--embedding-mode", "openai", "-v"}
          : new String[] {"build", "reef", "--docs", docs.toString(), "--embedding-mode", "openai"};
      code = LeannCli.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
      SecretLeaks.assertNoSecret(KEY, "the log", logs.text());
    }

    assertEquals(1, code, err.toString());
    assertEquals(KEY, openAi.receivedKeys().getLast(), "the server was sent the key and quoted it");
    assertTrue(err.toString().startsWith("leann: OpenAI rejected the API key (HTTP 401): set OPENAI_API_KEY"),
        err.toString());
    assertEquals(verbose, err.toString().contains("\tat io.leann."), "a stack trace with -v only: " + err);
    SecretLeaks.assertNoSecret(KEY, "stderr", err.toString());
    SecretLeaks.assertNoSecret(KEY, "stdout", out.toString());
  }
}
