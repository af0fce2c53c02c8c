package io.leann.coordinator.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.coordinator.testing.OpenAiEmbeddingsStub;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.testing.SecretLeaks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key the provider rejects, and quotes back, after an index was created with it: the failed job
 * ({@code GET /jobs/{id}} shows its {@link JobStatus}), the server log and the 400 of a create
 * hold no part of the key. The redaction happens in the HTTP client; this checks that nothing on
 * the way to the job record adds the key back.
 */
class JobKeyLeakTest {
  static final String KEY = "lk-Test0Key9f3a7c21b8e64d05a1c2";

  @TempDir Path root;
  OpenAiEmbeddingsStub openAi;
  LocalLeannService service;

  @BeforeEach
  void start() throws Exception {
    openAi = OpenAiEmbeddingsStub.start();
    service = new LocalLeannService(Map.of("LEANN_INDEX_DIR", root.toString(),
        "OPENAI_BASE_URL", openAi.baseUrl(), "OPENAI_API_KEY", KEY));
  }

  @AfterEach
  void stop() {
    service.close();
    openAi.close();
  }

  @Test
  void aJobFailingOnARejectedKeyRecordsNoKey() throws Exception {
    service.createIndex("t", settings()).toCompletableFuture().join();
    openAi.revokeKey();
    JobStatus failed;
    try (SecretLeaks.Logs logs = new SecretLeaks.Logs("io.leann")) {
      JobStatus queued = service.addDocuments("t", List.of(new DocumentIn("Coral reefs bleach when the sea warms.",
          null))).toCompletableFuture().join();
      failed = awaitEnd(queued.id());
      assertTrue(logs.text().contains("ERROR"), "the failure is logged: " + logs.text());
      SecretLeaks.assertNoSecret(KEY, "the server log", logs.text());
    }
    assertEquals(KEY, openAi.receivedKeys().getLast(), "the stub was sent the key and quoted it");
    assertEquals("failed", failed.state());
    assertTrue(failed.error().contains("HTTP 401") && failed.error().contains("OPENAI_API_KEY"), failed.error());
    SecretLeaks.assertNoSecret(KEY, "the job's JSON", new ObjectMapper().writeValueAsString(failed));
  }

  @Test
  void anIndexThatCannotBeCreatedWithARejectedKeyNamesNoKey() {
    openAi.revokeKey();
    CompletionException e = assertThrows(CompletionException.class,
        () -> service.createIndex("t", settings()).toCompletableFuture().join());
    ApiException refused = assertInstanceOf(ApiException.class, e.getCause());
    assertEquals(400, refused.status());
    assertTrue(refused.getMessage().contains("HTTP 401"), refused.getMessage());
    SecretLeaks.assertNoSecret(KEY, refused);
  }

  private static IndexSettings settings() {
    return new IndexSettings("openai", "text-embedding-3-small", null, 1, null, null, null);
  }

  private JobStatus awaitEnd(String id) throws InterruptedException {
    for (int i = 0; i < 3000; i++) {
      JobStatus status = service.job(id).toCompletableFuture().join();
      if (!status.state().equals("queued") && !status.state().equals("running")) {
        return status;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("job " + id + " did not end within 30 s");
  }
}
