package io.leann.protocol.passages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassageWriterTest {

    @TempDir
    Path dir;

    private Corpus.Layout files;

    @BeforeEach
    void layout() {
        files = Corpus.Layout.in(dir);
    }

    @Test
    void appendReturnsConsecutiveRows() throws IOException {
        try (PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids())) {
            assertEquals(0, w.append(new Passage("a", "x", null)));
            assertEquals(1, w.append(new Passage("b", "y", Map.of())));
            assertEquals(2, w.size());
            w.commit();
        }
        try (PassageStore store = files.open()) {
            assertEquals(new Passage("a", "x", Map.of()), store.get(0));
        }
    }

    @Test
    void jsonlIsOneJsonObjectPerLineWithNonAsciiRaw() throws IOException {
        List<Passage> passages = Corpus.passages(40);
        Corpus.write(files, passages);
        byte[] bytes = Files.readAllBytes(files.jsonl());
        assertTrue(contains(bytes, "日本".getBytes(StandardCharsets.UTF_8)));
        assertTrue(contains(bytes, "😀".getBytes(StandardCharsets.UTF_8)),
                "emoji must be raw UTF-8, not surrogate escapes");
        assertTrue(contains(bytes, "שלום".getBytes(StandardCharsets.UTF_8)));
        assertFalse(contains(bytes, "\\u65e5".getBytes(StandardCharsets.US_ASCII)));

        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(files.jsonl(), StandardCharsets.UTF_8);
        assertEquals(passages.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode record = json.readTree(lines.get(i));
            assertEquals(passages.get(i).id(), record.get("id").asText());
            assertEquals(passages.get(i).text(), record.get("text").asText());
            assertTrue(record.get("metadata").isObject());
        }
    }

    @Test
    void idsTxtListsTheIdOfEachRow() throws IOException {
        List<Passage> passages = Corpus.passages(25);
        Corpus.write(files, passages);
        String expected = passages.stream().map(p -> p.id() + "\n").collect(Collectors.joining());
        assertEquals(expected, Files.readString(files.ids(), StandardCharsets.UTF_8));
    }

    @Test
    void abortLeavesNoFiles() throws IOException {
        PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids());
        for (Passage p : Corpus.passages(20)) {
            w.append(p);
        }
        w.abort();
        w.abort();
        assertEquals(List.of(), listDir());
        assertThrows(IllegalStateException.class, () -> w.append(new Passage("late", "x", null)));
    }

    @Test
    void writerNeverCommittedLeavesNoFiles() throws IOException {
        try (PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids())) {
            for (Passage p : Corpus.passages(20)) {
                w.append(p);
            }
        }
        assertEquals(List.of(), listDir());
    }

    @Test
    void failureInsideTryWithResourcesKeepsThePreviousStore() throws IOException {
        List<Passage> v1 = Corpus.passages(5);
        Corpus.write(files, v1);
        assertThrows(IllegalStateException.class, () -> {
            try (PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids())) {
                w.append(new Passage("v2", "replacement", null));
                throw new IllegalStateException("caller failed mid-build");
            }
        });
        assertEquals(List.of(files.ids(), files.jsonl(), files.idx()).stream().map(Path::getFileName).sorted().toList(),
                listDir());
        try (PassageStore store = files.open()) {
            assertEquals(v1, store.stream().toList());
        }
    }

    @Test
    void commitReplacesAnExistingStore() throws IOException {
        Corpus.write(files, Corpus.passages(30));
        List<Passage> v2 = List.of(new Passage("only", "one passage now", Map.of("v", 2)));
        Corpus.write(files, v2);
        try (PassageStore store = files.open()) {
            assertEquals(v2, store.stream().toList());
            assertEquals("only", store.id(0));
        }
    }

    @Test
    void staleTempFilesOfACrashedWriterAreOverwritten() throws IOException {
        Files.writeString(dir.resolve("documents.leann.passages.jsonl.tmp"), "garbage without newline");
        Files.writeString(dir.resolve("documents.leann.passages.idx.tmp"), "garbage");
        List<Passage> passages = Corpus.passages(3);
        Corpus.write(files, passages);
        try (PassageStore store = files.open()) {
            assertEquals(passages, store.stream().toList());
        }
        assertEquals(3, listDir().size());
    }

    @Test
    void emptyStore() throws IOException {
        Corpus.write(files, List.of());
        try (PassageStore store = files.open()) {
            assertEquals(0, store.size());
            assertEquals(List.of(), store.stream().toList());
            assertTrue(store.rowOf("x").isEmpty());
        }
    }

    @Test
    void duplicateIdIsRejectedAndTheWriterStaysUsable() throws IOException {
        try (PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids())) {
            w.append(new Passage("same", "first", null));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> w.append(new Passage("same", "second", null)));
            assertTrue(e.getMessage().contains("duplicate passage id \"same\""), e.getMessage());
            assertEquals(1, w.append(new Passage("other", "third", null)));
            w.commit();
        }
        try (PassageStore store = files.open()) {
            assertEquals(List.of("first", "third"), store.stream().map(Passage::text).toList());
        }
    }

    @Test
    void invalidPassagesAreRejectedWithoutWritingAnything() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> new Passage(null, "text", null));
        assertThrows(IllegalArgumentException.class, () -> new Passage("id", null, null));
        try (PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids())) {
            assertThrows(IllegalArgumentException.class, () -> w.append(new Passage("two\nlines", "x", null)));
            assertThrows(IllegalArgumentException.class, () -> w.append(new Passage("cr\rid", "x", null)));
            assertThrows(IllegalArgumentException.class, () -> w.append(new Passage("lone \uD800", "x", null)));
            assertThrows(IllegalArgumentException.class,
                    () -> w.append(new Passage("pojo", "x", Map.of("thread", new Object()))));
            assertEquals(0, w.append(new Passage("ok", "lone \uD800 surrogate in text is escaped", null)));
            w.commit();
        }
        try (PassageStore store = files.open()) {
            assertEquals(1, store.size());
            assertEquals(new Passage("ok", "lone \uD800 surrogate in text is escaped", Map.of()), store.get(0));
        }
    }

    @Test
    void committedWriterRejectsFurtherUseAndCloseKeepsTheFiles() throws IOException {
        PassageWriter w = PassageWriter.create(files.jsonl(), files.idx(), files.ids());
        w.append(new Passage("a", "x", null));
        w.commit();
        assertThrows(IllegalStateException.class, w::commit);
        assertThrows(IllegalStateException.class, () -> w.append(new Passage("b", "y", null)));
        w.close();
        assertEquals(3, listDir().size());
    }

    @Test
    void samePathTwiceIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PassageWriter.create(files.jsonl(), files.jsonl(), files.ids()));
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::getFileName).sorted().toList();
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
