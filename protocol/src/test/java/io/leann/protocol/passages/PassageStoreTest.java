package io.leann.protocol.passages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassageStoreTest {

    private static final int N = 1_000;

    @TempDir
    static Path dir;

    private static List<Passage> written;
    private static Corpus.Layout files;

    @BeforeAll
    static void writeCorpus() throws IOException {
        written = Corpus.passages(N);
        files = Corpus.Layout.in(dir);
        Corpus.write(files, written);
    }

    @Test
    void roundTripsEveryPassageInRowOrder() throws IOException {
        try (PassageStore store = files.open()) {
            assertEquals(N, store.size());
            for (int row = 0; row < N; row++) {
                assertEquals(written.get(row), store.get(row), "row " + row);
            }
            assertTrue(store.get(Corpus.HUGE_ROW).text().length() >= 1 << 20);
        }
    }

    @Test
    void randomAccessInRandomOrderMatchesWhatWasWritten() throws IOException {
        List<Integer> rows = new ArrayList<>(IntStream.range(0, N).boxed().toList());
        Collections.shuffle(rows, new Random(42));
        try (PassageStore store = files.open()) {
            for (int row : rows) {
                assertEquals(written.get(row), store.get(row), "row " + row);
            }
        }
    }

    @Test
    void streamsAllPassagesInOrder() throws IOException {
        try (PassageStore store = files.open()) {
            assertEquals(written, store.stream().toList());
        }
    }

    @Test
    void mapsIdsAndRowsFromIdsTxt() throws IOException {
        try (PassageStore store = files.open()) {
            assertEquals("doc-0", store.id(0));
            assertEquals("doc-999", store.id(999));
            assertEquals(OptionalLong.of(737), store.rowOf("doc-737"));
            assertEquals(OptionalLong.empty(), store.rowOf("doc-1000"));
        }
    }

    @Test
    void mapsIdsAndRowsFromTheJsonlWithoutIdsTxt() throws IOException {
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            for (int row = 0; row < N; row += 37) {
                assertEquals("doc-" + row, store.id(row));
                assertEquals(OptionalLong.of(row), store.rowOf("doc-" + row));
            }
            assertEquals(OptionalLong.empty(), store.rowOf("nope"));
        }
    }

    @Test
    void rejectsRowsOutOfRangeWithTheRowAndSize() throws IOException {
        try (PassageStore store = files.open()) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> store.get(N));
            assertTrue(e.getMessage().contains("row 1000") && e.getMessage().contains("1000 passages"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> store.get(-1));
            assertThrows(IndexOutOfBoundsException.class, () -> store.id(N));
        }
    }

    @Test
    void concurrentReadersSeeCorrectPassages() throws Exception {
        try (PassageStore store = files.open(); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Callable<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                readers.add(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 2_000; i++) {
                        int row = random.nextInt(N);
                        assertEquals(written.get(row), store.get(row), "row " + row);
                        // Races the lazy id table's construction against the other readers.
                        assertEquals(OptionalLong.of(row), store.rowOf("doc-" + row));
                    }
                    return 2_000;
                });
            }
            for (Future<Integer> f : pool.invokeAll(readers)) {
                assertEquals(2_000, f.get());
            }
        }
    }

    @Test
    void closeIsIdempotentAndReadsAfterItFail() throws IOException {
        PassageStore store = files.open();
        store.close();
        store.close();
        assertThrows(IllegalStateException.class, () -> store.get(0));
    }
}
