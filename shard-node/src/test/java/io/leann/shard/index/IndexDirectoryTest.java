package io.leann.shard.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexMeta;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The owner of an index directory on real files: lock, commit, leases and retirement. */
class IndexDirectoryTest {
  @TempDir
  Path root;

  @Test
  void parsesGenerationNamesAndNothingElse() {
    assertEquals(16, IndexDirectory.parseGeneration("gen-16"));
    assertEquals(-1, IndexDirectory.parseGeneration("gen-"));
    assertEquals(-1, IndexDirectory.parseGeneration("gen-16.tmp"));
    assertEquals(-1, IndexDirectory.parseGeneration("api"));
    assertEquals("gen-3", IndexDirectory.generationName(3));
  }

  @Test
  void commitsNumberGenerationsAndKeepTheOneTheyReplace() throws IOException {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    assertEquals(0, dir.committedGeneration());
    for (int expected = 1; expected <= 3; expected++) {
      assertEquals(expected, commit(dir, 10 * expected));
      assertEquals(expected, dir.committedGeneration());
    }
    assertEquals(List.of("gen-2", "gen-3"), generations(dir));
    assertEquals(30, IndexMeta.read(dir.meta()).totalPassages());
  }

  @Test
  void anUncommittedWriterLeavesNothingAndTheIndexAsItWas() throws IOException {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    commit(dir, 5);
    try (IndexDirectory.Writer writer = dir.lock(false)) {
      Files.writeString(writer.stage().resolve("partial.jsonl"), "{}");
    }
    assertEquals(List.of("gen-1"), generations(dir));
    assertEquals(1, dir.committedGeneration());
  }

  @Test
  void theLockKeepsASecondWriterOutAndItsWaitEndsWithTheFirst() throws Exception {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    IndexDirectory.Writer first = dir.lock(false);
    IOException busy = assertThrows(IOException.class, () -> dir.lock(false));
    assertTrue(busy.getMessage().contains("another build of index 'docs' is running"), busy.getMessage());
    CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> {
      try (IndexDirectory.Writer second = dir.lock(true)) {
        return second.committedGeneration();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
    first.stage();
    first.commit(meta(first.generation(), 7));
    first.close();
    // The waiting writer starts on what the first one committed.
    assertEquals(1, waiting.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aLeasedGenerationOutlivesItsRetirementUntilTheLastLeaseGoes() throws IOException {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    commit(dir, 1);
    IndexDirectory.Lease reader = dir.acquire(1);
    IndexDirectory.Lease another = dir.acquire(1);
    assertEquals(2, dir.leases(1));
    commit(dir, 2);
    commit(dir, 3);
    // gen-1 is neither current nor the one replaced, but two readers hold it.
    assertEquals(List.of("gen-1", "gen-2", "gen-3"), generations(dir));
    reader.close();
    reader.close();
    assertEquals(1, dir.leases(1));
    assertTrue(Files.isDirectory(dir.dir().resolve("gen-1")));
    another.close();
    assertEquals(0, dir.leases(1));
    assertEquals(List.of("gen-2", "gen-3"), generations(dir));
  }

  @Test
  void aGenerationReadInAnotherProcessIsKeptUntilThatProcessLetsGo() throws Exception {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    commit(dir, 1);
    Path readers = dir.dir().resolve("gen-1").resolve(IndexDirectory.READERS);
    Process reader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ReaderInAnotherProcess.class.getName(), readers.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(reader.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      commit(dir, 2);
      commit(dir, 3);
      assertEquals(List.of("gen-1", "gen-2", "gen-3"), generations(dir), "gen-1 is read by the other process");
      try (IndexDirectory.Lease lease = dir.acquire(3)) {
        assertEquals(1, dir.leases(3), "a lease in this JVM takes its shared lock beside the other process's");
      }
    } finally {
      reader.getOutputStream().close();
      reader.waitFor(30, TimeUnit.SECONDS);
      reader.destroyForcibly();
    }
    commit(dir, 4);
    assertEquals(List.of("gen-3", "gen-4"), generations(dir), "the first commit after the reader let go deletes gen-1");
  }

  @Test
  void takingTheLockRemovesWhatAKilledWriterLeft() throws IOException {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    commit(dir, 4);
    Files.createDirectories(dir.dir().resolve("gen-2/nested"));
    Files.writeString(dir.dir().resolve(IndexDirectory.META + ".tmp-1-2"), "{");
    try (IndexDirectory.Writer writer = dir.lock(false)) {
      assertFalse(Files.exists(dir.dir().resolve("gen-2")));
      assertFalse(Files.exists(dir.dir().resolve(IndexDirectory.META + ".tmp-1-2")));
      assertEquals(Path.of("gen-2"), dir.dir().relativize(writer.stage()));
    }
  }

  @Test
  void aCommitMustNameTheStagedGeneration() throws IOException {
    IndexDirectory dir = IndexDirectory.of(root.resolve("docs"));
    try (IndexDirectory.Writer writer = dir.lock(false)) {
      writer.stage();
      assertThrows(IllegalArgumentException.class, () -> writer.commit(meta(7, 1)));
    }
    assertFalse(Files.exists(dir.meta()));
  }

  private static int commit(IndexDirectory dir, long passages) throws IOException {
    try (IndexDirectory.Writer writer = dir.lock(false)) {
      writer.stage();
      writer.commit(meta(writer.generation(), passages));
      return writer.generation();
    }
  }

  private static List<String> generations(IndexDirectory dir) throws IOException {
    try (var entries = Files.list(dir.dir())) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> IndexDirectory.parseGeneration(n) >= 0)
          .sorted().toList();
    }
  }

  private static IndexMeta meta(int gen, long passages) {
    String g = IndexDirectory.generationName(gen);
    return new IndexMeta("1.0", "hnsw", "test-model", 4, Map.of(), "sentence-transformers", null,
        List.of(new IndexMeta.PassageSource("jsonl", g + "/documents.leann.passages.jsonl",
            g + "/documents.leann.passages.idx")),
        true, false, passages, IndexMeta.FORMAT_VERSION, Metric.COSINE.leannName(),
        List.of(new IndexMeta.Shard(0, g + "/documents.index", g + "/documents.ids.txt", 0, (int) passages)));
  }
}
