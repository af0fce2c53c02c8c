package io.leann.coordinator.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.coordinator.build.IngestLog;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 202 means the documents are on disk: batches accepted by a service that stops before it builds
 * them (closed without draining its queue, as a process stopped right after answering) are in the
 * index's write-ahead log; a new service on the same directory replays them, indexes every
 * document once, and shows every job, done, with what it added.
 */
class DurableIngestTest {
  @TempDir Path root;

  @Test
  void batchesAcceptedBeforeAStopAreIndexedByTheNextStart() throws Exception {
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", root.toString());
    List<String> jobs = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    LocalLeannService first = new LocalLeannService(env);
    try {
      first.createIndex("durable", new IndexSettings(null, null, "cosine", 1, null, false, 16))
          .toCompletableFuture().join();
      for (Map.Entry<String, String> f : SmallIndex.FILES.entrySet()) {
        texts.add(f.getValue());
        JobStatus accepted = first.addDocuments("durable", List.of(new DocumentIn(f.getValue(),
            Map.of("file", f.getKey())))).toCompletableFuture().join();
        jobs.add(accepted.id());
      }
    } finally {
      first.close();
    }
    List<IngestLog.Job> left = IngestLog.of(root.resolve("durable")).pending();
    assertFalse(left.isEmpty(), "the stop left jobs to replay");

    try (LocalLeannService second = new LocalLeannService(env)) {
      for (String id : jobs) {
        JobStatus end = awaitEnd(second, id);
        assertEquals("done", end.state(), end.toString());
      }
      assertTrue(IngestLog.of(root.resolve("durable")).pending().isEmpty());
      assertEquals(SmallIndex.FILES.size(), second.index("durable").toCompletableFuture().join().passages(),
          "every document indexed once");
      SearchResponse all = second.search("durable", new SearchRequest("anything", SmallIndex.FILES.size(), null,
          null, null, null)).toCompletableFuture().join();
      assertEquals(Set.copyOf(texts), Set.copyOf(all.results().stream().map(SearchResponse.Hit::text).toList()));
      SearchResponse lava = second.search("durable", new SearchRequest("lava and ash from an eruption", 1, null,
          null, Map.of("file", Map.of("==", "volcano.txt")), null)).toCompletableFuture().join();
      assertEquals("volcano.txt", lava.results().getFirst().metadata().get("file"));
      JobStatus replayed = second.job(left.getFirst().job()).toCompletableFuture().join();
      assertEquals(1L, replayed.passagesAdded(), replayed.toString());
    }
    // A third start finds every job ended, and still shows them.
    try (LocalLeannService third = new LocalLeannService(env)) {
      for (String id : jobs) {
        assertEquals("done", third.job(id).toCompletableFuture().join().state());
      }
    }
  }

  private static JobStatus awaitEnd(LocalLeannService service, String id) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      JobStatus status = service.job(id).toCompletableFuture().join();
      if (!status.state().equals("queued") && !status.state().equals("running")) {
        return status;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " did not end within 60 s");
  }
}
