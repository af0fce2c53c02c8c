package io.leann.coordinator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.api.DocumentIn;
import io.leann.protocol.index.IndexFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead log of API jobs: what is appended is read back by another instance (a restarted
 * process), ended jobs leave the pending list and keep their outcome, a record cut short by a
 * crash is dropped and the log goes on, a record altered in the middle is an error naming the
 * file, and a compaction keeps the pending jobs whole.
 */
class IngestLogTest {
  @TempDir Path dir;

  @Test
  void jobsAppendedByOneInstanceArePendingForTheNextUntilTheyEnd() throws Exception {
    IngestLog log = IngestLog.of(dir);
    IngestLog.Job add = log.appendDocuments("a", 10, List.of(new DocumentIn("first text", Map.of("k", "v")),
        new DocumentIn("second text", null)));
    IngestLog.Job delete = log.appendDelete("b", 11, Map.of("k", Map.of("==", "v")));
    assertEquals(1, add.seq());
    assertEquals(2, delete.seq());

    IngestLog restarted = IngestLog.of(dir);
    assertEquals(List.of(add, delete), restarted.pending());
    restarted.end(new IngestLog.End(1, "a", 10, 2, "done", null, 5L, 5L, 0L));
    assertEquals(List.of(delete), IngestLog.of(dir).pending());
    assertEquals(List.of(new IngestLog.End(1, "a", 10, 2, "done", null, 5L, 5L, 0L)), IngestLog.of(dir).ended());
    // The first instance reads what the second appended before it appends.
    assertEquals(3, log.appendDocuments("c", 12, List.of(new DocumentIn("third", null))).seq());
  }

  @Test
  void aRecordCutShortAtTheEndIsDroppedAndTheLogGoesOn() throws Exception {
    IngestLog log = IngestLog.of(dir);
    IngestLog.Job kept = log.appendDocuments("a", 10, List.of(new DocumentIn("kept", null)));
    log.appendDocuments("b", 11, List.of(new DocumentIn("torn by a crash mid-append", null)));
    Path file = dir.resolve(IngestLog.DIR).resolve(IngestLog.FILE);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 7));

    IngestLog restarted = IngestLog.of(dir);
    assertEquals(List.of(kept), restarted.pending());
    IngestLog.Job next = restarted.appendDocuments("c", 12, List.of(new DocumentIn("after", null)));
    assertEquals(2, next.seq());
    assertEquals(List.of(kept, next), IngestLog.of(dir).pending());
  }

  @Test
  void aRecordAlteredBeforeTheEndIsAnErrorNamingTheFile() throws Exception {
    IngestLog log = IngestLog.of(dir);
    log.appendDocuments("a", 10, List.of(new DocumentIn("altered", null)));
    log.appendDocuments("b", 11, List.of(new DocumentIn("intact", null)));
    Path file = dir.resolve(IngestLog.DIR).resolve(IngestLog.FILE);
    byte[] bytes = Files.readAllBytes(file);
    bytes[20] ^= 0x01;
    Files.write(file, bytes);

    IndexFormatException e = assertThrows(IndexFormatException.class, () -> IngestLog.of(dir).pending());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void compactionKeepsPendingJobsWholeAndTheLastEnds() throws Exception {
    IngestLog log = IngestLog.of(dir);
    String big = "x".repeat(1 << 20);
    IngestLog.Job pending = log.appendDocuments("keep", 1, List.of(new DocumentIn("still to index", null)));
    for (int i = 0; i < 9; i++) {
      IngestLog.Job done = log.appendDocuments("j" + i, 2, List.of(new DocumentIn(big, null)));
      log.end(new IngestLog.End(done.seq(), done.job(), 2, 1, "done", null, 1L, 1L, 0L));
    }
    Path file = dir.resolve(IngestLog.DIR).resolve(IngestLog.FILE);
    assertTrue(Files.size(file) < IngestLog.COMPACT_BYTES, Files.size(file) + " bytes after compaction");
    IngestLog restarted = IngestLog.of(dir);
    assertEquals(List.of(pending), restarted.pending());
    assertEquals(9, restarted.ended().size());
    assertEquals(11, restarted.appendDocuments("next", 3, List.of(new DocumentIn("t", null))).seq());
  }
}
