package io.leann.protocol.passages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassageIndexBuilderTest {

    @TempDir
    Path dir;

    private Corpus.Layout files;

    @BeforeEach
    void layout() {
        files = Corpus.Layout.in(dir);
    }

    @Test
    void rebuiltIndexIsByteIdenticalToTheWrittenOne() throws IOException {
        Corpus.write(files, Corpus.passages(600));
        byte[] written = Files.readAllBytes(files.idx());
        Files.delete(files.idx());
        assertEquals(600, PassageIndexBuilder.rebuild(files.jsonl(), files.idx()));
        assertArrayEquals(written, Files.readAllBytes(files.idx()));
    }

    @Test
    void importsAPythonLeannJsonlReplacingItsPickle() throws IOException {
        // json.dumps style (spaces after separators), a CRLF line and blank lines, as hand-edited imports have.
        Files.writeString(files.jsonl(), """
                {"id": "0", "text": "Python wrote this", "metadata": {"file": "a.md"}}

                {"id": "1", "text": "日本語", "metadata": {}}\r
                   \t
                {"id": "2", "text": "no metadata"}
                """, StandardCharsets.UTF_8);
        // A pickle whose offset is not at a line start (the blank lines shifted the rows) is refused.
        Files.write(files.idx(), new byte[] {(byte) 0x80, 4, '}', (byte) 0x8c, 1, '0', 'K', 3, 's', '.'});
        assertThrows(PassageStoreException.class, () -> PassageStore.open(files.jsonl(), files.idx()));

        assertEquals(3, PassageIndexBuilder.rebuild(files.jsonl(), files.idx()));
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            assertEquals(List.of(
                    new Passage("0", "Python wrote this", Map.of("file", "a.md")),
                    new Passage("1", "日本語", Map.of()),
                    new Passage("2", "no metadata", Map.of())), store.stream().toList());
            assertEquals(OptionalLong.of(2), store.rowOf("2"));
        }
    }

    @Test
    void unterminatedLastLineIsRejectedAndNothingIsWritten() throws IOException {
        Files.writeString(files.jsonl(), "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"te");
        PassageStoreException e = assertThrows(PassageStoreException.class,
                () -> PassageIndexBuilder.rebuild(files.jsonl(), files.idx()));
        assertEquals(files.jsonl(), e.file());
        assertTrue(e.getMessage().contains("the line at byte 22 is incomplete"), e.getMessage());
        assertFalse(Files.exists(files.idx()));
        assertFalse(Files.exists(dir.resolve(files.idx().getFileName() + ".tmp")));
    }

    @Test
    void emptyJsonlGivesAnEmptyStore() throws IOException {
        Files.createFile(files.jsonl());
        assertEquals(0, PassageIndexBuilder.rebuild(files.jsonl(), files.idx()));
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            assertEquals(0, store.size());
        }
    }

    @Test
    void missingJsonl() {
        PassageStoreException e = assertThrows(PassageStoreException.class,
                () -> PassageIndexBuilder.rebuild(files.jsonl(), files.idx()));
        assertTrue(e.getMessage().contains(files.jsonl().getFileName() + ": missing"), e.getMessage());
    }
}
