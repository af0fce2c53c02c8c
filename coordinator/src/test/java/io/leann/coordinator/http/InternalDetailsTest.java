package io.leann.coordinator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.leann.coordinator.api.InternalDetails;
import io.leann.coordinator.api.Json;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.LeannService;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.Test;

/** No absolute server path and no Java class name reaches a client in an error message. */
class InternalDetailsTest {
  private static final String CORRUPT = "cannot read passages of index 'docs': "
      + "io.leann.protocol.passages.PassageStoreException: bad record at byte 812 of "
      + "/root/.leann/indexes/docs/shard-0/passages.jsonl";

  /** A failure with its own status and code, as the services' subclasses of ApiException have. */
  static final class CorruptIndex extends ApiException {
    CorruptIndex(String message) {
      super(500, "index_corrupt", message);
    }
  }

  @Test
  void pathsBecomeFileNamesAndClassNamesGo() {
    assertEquals("cannot read passages of index 'docs': bad record at byte 812 of passages.jsonl",
        InternalDetails.stripped(CORRUPT));
    assertEquals("no shard answered: shard 0: disk full (a server directory)",
        InternalDetails.stripped("no shard answered: shard 0: java.io.IOException: disk full (/var/lib/leann/)"));
    assertEquals("failed: NoSuchFileException at embeddings.f32",
        InternalDetails.stripped("failed: java.nio.file.NoSuchFileException at C:\\data\\leann\\embeddings.f32"));
    assertEquals("boom", InternalDetails.stripped("UncheckedIOException: boom"));
  }

  @Test
  void urlsRelativePathsAndPlainWordsStay() {
    for (String kept : new String[] {
        "the model at http://127.0.0.1:11434/api/chat did not answer",
        "file 'shard-0/passages.jsonl' of index 'docs' is corrupt",
        "node pekko://leann@10.0.0.7:2552/system/sharding is gone",
        "field 'top_k' must be an integer (got \"5\")",
        "index 'docs' has no shard 3; use 0..2"}) {
      assertEquals(kept, InternalDetails.stripped(kept));
    }
  }

  @Test
  void errorBodiesOfTheApiAreStripped() throws Exception {
    LeannService service = (LeannService) Proxy.newProxyInstance(LeannService.class.getClassLoader(),
        new Class<?>[] {LeannService.class}, (proxy, method, args) -> switch (method.getName()) {
          case "index" -> CompletableFuture.failedFuture(ApiException.unavailable(CORRUPT));
          case "indexes" -> CompletableFuture.failedFuture(new CorruptIndex(CORRUPT));
          default -> throw new UnsupportedOperationException(method.getName());
        });
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "leann-internal-details",
        ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.defaultReference()));
    try {
      ServerBinding binding = HttpServer.start(system, service, "127.0.0.1", 0, HttpSettings.defaults())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + binding.localAddress().getPort();
      HttpClient client = HttpClient.newHttpClient();
      for (String path : new String[] {"/indexes/docs", "/indexes"}) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
            BodyHandlers.ofString());
        JsonNode error = Json.mapper().readTree(r.body()).path("error");
        String message = error.path("message").asText();
        assertFalse(message.contains("/root") || message.contains("io.leann") || message.contains("Exception"),
            r.body());
        assertTrue(message.contains("passages.jsonl"), r.body());
        if (path.equals("/indexes")) {
          assertEquals(500, r.statusCode(), r.body());
          assertEquals("index_corrupt", error.path("code").asText(), r.body());
        } else {
          assertEquals(503, r.statusCode(), r.body());
          assertEquals("unavailable", error.path("code").asText(), r.body());
        }
      }
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }
}
