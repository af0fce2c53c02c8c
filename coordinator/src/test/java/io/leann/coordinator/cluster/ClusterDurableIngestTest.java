package io.leann.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.leann.coordinator.build.IngestLog;
import io.leann.coordinator.local.SmallIndex;
import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.api.IndexSettings;
import io.leann.protocol.api.JobStatus;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.api.SearchResponse;
import io.leann.shard.index.IndexDirectory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 202 from a coordinator means the documents are on disk: a batch accepted by a one-node cluster
 * that stops before its job can build (another writer holds the index), is replayed by the next
 * node started on the same directory, which indexes it and shows the job done; the job the first
 * node held is not failed by its stop.
 */
class ClusterDurableIngestTest {
  @TempDir Path root;

  @Test
  void aBatchAcceptedBeforeTheCoordinatorStopsIsIndexedByTheNextOne() throws Exception {
    Map<String, String> env = Map.of("LEANN_INDEX_DIR", root.toString());
    Path dir = root.resolve("durable");
    String job;
    List<DocumentIn> documents = new ArrayList<>();
    SmallIndex.FILES.forEach((file, text) -> documents.add(new DocumentIn(text, Map.of("file", file))));
    LeannNode first = start(env);
    IndexDirectory.Writer blocker = null;
    try {
      first.service().createIndex("durable", new IndexSettings(null, null, "cosine", 1, true, false, 16))
          .toCompletableFuture().join();
      // The job cannot start building while another writer (a CLI build, say) holds the index.
      blocker = IndexDirectory.of(dir).lock(false);
      job = first.service().addDocuments("durable", documents).toCompletableFuture().join().id();
      assertEquals(List.of(job), IngestLog.of(dir).pending().stream().map(IngestLog.Job::job).toList());
    } finally {
      InJvmNodes.stop(first);
    }

    LeannNode second = start(env);
    try {
      blocker.close();
      JobStatus end = null;
      for (int i = 0; i < 1200 && (end == null || !Set.of("done", "failed").contains(end.state())); i++) {
        Thread.sleep(100);
        end = second.service().job(job).handle((status, failure) -> status).toCompletableFuture().join();
      }
      assertEquals("done", end == null ? null : end.state(), String.valueOf(end));
      assertEquals(SmallIndex.FILES.size(), second.service().index("durable").toCompletableFuture().join().passages());
      SearchResponse found = second.service().search("durable", new SearchRequest("lava from an erupting volcano", 1,
          null, null, null, null)).toCompletableFuture().join();
      assertFalse(found.partial());
      assertEquals("volcano.txt", found.results().getFirst().metadata().get("file"));
      assertEquals(List.of(), IngestLog.of(dir).pending());
    } finally {
      InJvmNodes.stop(second);
    }
  }

  private static LeannNode start(Map<String, String> env) {
    LeannNode node = InJvmNodes.start(LeannNode.ALL_ROLES, List.of(), env);
    node.whenUp().toCompletableFuture().join();
    return node;
  }
}
