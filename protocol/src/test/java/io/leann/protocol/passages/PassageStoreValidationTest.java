package io.leann.protocol.passages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class PassageStoreValidationTest {

    private static final int N = 10;

    @TempDir
    Path dir;

    private Corpus.Layout files;

    @BeforeEach
    void writeStore() throws IOException {
        files = Corpus.Layout.in(dir);
        Corpus.write(files, Corpus.passages(N));
    }

    @Test
    void truncatedIndex() throws IOException {
        byte[] idx = Files.readAllBytes(files.idx());
        Files.write(files.idx(), Arrays.copyOf(idx, idx.length - 2 * Long.BYTES));
        assertOpenFails(files.idx(), "truncated: header says 10 offsets but file holds 8");
    }

    @Test
    void indexShorterThanItsHeader() throws IOException {
        Files.write(files.idx(), Arrays.copyOf(Files.readAllBytes(files.idx()), 12));
        assertOpenFails(files.idx(), "truncated");
    }

    @Test
    void trailingBytesAfterTheOffsets() throws IOException {
        Files.write(files.idx(), new byte[3], StandardOpenOption.APPEND);
        assertOpenFails(files.idx(), "3 trailing bytes");
    }

    @Test
    void bitFlippedHeader() throws IOException {
        flipBit(files.idx(), 16);
        assertOpenFails(files.idx(), "header checksum mismatch");
    }

    @Test
    void bitFlippedOffsets() throws IOException {
        flipBit(files.idx(), OffsetIndex.HEADER_BYTES + 3 * OffsetIndex.ENTRY_BYTES);
        assertOpenFails(files.idx(), "offsets checksum mismatch");
    }

    @Test
    void wrongMagic() throws IOException {
        overwrite(files.idx(), 0, "NOTLEANN".getBytes(StandardCharsets.US_ASCII));
        assertOpenFails(files.idx(), "wrong magic");
    }

    @Test
    void unsupportedVersion() throws IOException {
        overwrite(files.idx(), 8, new byte[] {3, 0, 0, 0});
        assertOpenFails(files.idx(), "unsupported version 3");
    }

    @Test
    void versionOneWithoutChecksumsAsksForARebuild() throws IOException {
        overwrite(files.idx(), 8, new byte[] {1, 0, 0, 0});
        assertOpenFails(files.idx(), "rebuild the index");
    }

    @Test
    void everyAlteredByteOfARowFailsItsRead() throws IOException {
        byte[] original = Files.readAllBytes(files.jsonl());
        String row3;
        try (PassageStore store = files.open()) {
            row3 = store.get(3).text();
        }
        int start = 0;
        for (int lines = 0; lines < 3; start++) {
            lines += original[start] == '\n' ? 1 : 0;
        }
        int lineEnd = start;
        while (original[lineEnd] != '\n') {
            lineEnd++;
        }
        for (int at = start; at <= lineEnd; at++) {
            byte[] altered = original.clone();
            altered[at] ^= (byte) (1 << (at % 8));
            Files.write(files.jsonl(), altered);
            try (PassageStore store = files.open()) {
                assertRowFails(() -> store.get(3), "row 3 fails its checksum");
                assertEquals("doc-2", store.get(2).id());
            }
        }
        Files.write(files.jsonl(), original);
        try (PassageStore store = files.open()) {
            assertEquals(row3, store.get(3).text());
        }
    }

    @Test
    void pythonPickleOfAnotherPayloadIsRefused() throws IOException {
        Files.write(files.idx(), new byte[] {(byte) 0x80, 4, (byte) 0x95, 2, 0, 0, 0, 0, 0, 0, 0, ']', '.'});
        assertOpenFails(files.idx(), "pickle byte 11: opcode 0x5d (EMPTY_LIST) is not allowed");
    }

    @Test
    void missingIndexNamesTheRepair() throws IOException {
        Files.delete(files.idx());
        assertOpenFails(files.idx(), "missing");
    }

    @Test
    void offsetBeyondTheJsonl() throws IOException {
        long size = Files.size(files.jsonl());
        writeIndex(size, 0, 10, size + 5);
        assertOpenFails(files.idx(), "offset of row 2 (" + (size + 5) + ") is outside the jsonl");
    }

    @Test
    void offsetsNotIncreasing() throws IOException {
        writeIndex(Files.size(files.jsonl()), 0, 40, 40);
        assertOpenFails(files.idx(), "offset of row 2 (40) is not after row 1's");
    }

    @Test
    void jsonlFromAnotherWrite() throws IOException {
        byte[] jsonl = Files.readAllBytes(files.jsonl());
        Files.write(files.jsonl(), Arrays.copyOf(jsonl, jsonl.length - 1));
        assertOpenFails(files.jsonl(), "different writes");
    }

    @Test
    void jsonlWithoutFinalLineBreak() throws IOException {
        Files.writeString(files.jsonl(), "{\"id\":\"a\",\"text\":\"x\"}");
        writeIndex(Files.size(files.jsonl()), 0);
        assertOpenFails(files.jsonl(), "does not end with a line break");
    }

    @Test
    void readsRowsPastTwoGibibytesAndRefusesLinesTooLongForAnArray() throws IOException {
        // Sparse: the hole costs no disk, but row 1 sits where int offsets and a single ByteBuffer fail.
        long far = 3L << 30;
        byte[] first = "{\"id\":\"near\",\"text\":\"a\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] second = "{\"id\":\"far\",\"text\":\"b\"}\n".getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(files.jsonl(), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(first), 0);
            ch.write(ByteBuffer.wrap(second), far);
        }
        writeIndex(far + second.length, 0, far);
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            assertEquals(new Passage("far", "b", Map.of()), store.get(1));
            assertRowFails(() -> store.get(0), "row 0 spans " + far + " bytes");
        }
    }

    @Test
    void missingIdsTxt() throws IOException {
        Files.delete(files.ids());
        assertOpenFails(files.ids(), "missing");
    }

    @Test
    void malformedRowsFailAloneNamingFileAndRow() throws IOException {
        Files.writeString(files.jsonl(), """
                {"id": "a", "text": "fine", "metadata": {"k": 1}}
                {"id": "b", "text":
                [1, 2]
                {"id": 7, "text": "numeric id"}
                {"id": "e", "text": "x", "metadata": [1]}
                {"id": "f", "text": "x"} {"id": "g", "text": "y"}
                """);
        PassageIndexBuilder.rebuild(files.jsonl(), files.idx());
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            assertEquals("fine", store.get(0).text());
            assertRowFails(() -> store.get(1), "row 1: malformed JSON");
            assertRowFails(() -> store.get(2), "row 2: malformed JSON");
            assertRowFails(() -> store.get(3), "row 3: \"id\" is missing or not a string");
            assertRowFails(() -> store.get(4), "row 4: \"metadata\" is not a JSON object");
            assertRowFails(() -> store.get(5), "row 5: malformed JSON");
            assertRowFails(() -> store.rowOf("a"), "row 2: record is not a JSON object");
        }
    }

    @Test
    void idsTxtWithTheWrongNumberOfLines() throws IOException {
        Files.writeString(files.ids(), "doc-0\ndoc-1\n");
        try (PassageStore store = files.open()) {
            PassageStoreException e = assertThrows(PassageStoreException.class, () -> store.rowOf("doc-0"));
            assertMessage(e, files.ids(), "holds 2 ids but the index has 10 rows");
        }
    }

    @Test
    void duplicateIdsInTheJsonl() throws IOException {
        Files.writeString(files.jsonl(), """
                {"id":"x","text":"1"}
                {"id":"y","text":"2"}
                {"id":"x","text":"3"}
                """);
        PassageIndexBuilder.rebuild(files.jsonl(), files.idx());
        try (PassageStore store = PassageStore.open(files.jsonl(), files.idx())) {
            PassageStoreException e = assertThrows(PassageStoreException.class, () -> store.rowOf("y"));
            assertMessage(e, files.jsonl(), "id \"x\" appears at rows 0 and 2");
        }
    }

    private void assertOpenFails(Path culprit, String problem) {
        PassageStoreException e = assertThrows(PassageStoreException.class, () -> files.open().close());
        assertMessage(e, culprit, problem);
    }

    private void assertRowFails(Executable read, String problem) {
        assertMessage(assertThrows(PassageStoreException.class, read), files.jsonl(), problem);
    }

    private static void assertMessage(PassageStoreException e, Path culprit, String problem) {
        assertEquals(culprit, e.file());
        assertTrue(e.getMessage().contains(culprit.getFileName().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    /**
     * A well-formed index (valid checksums) holding arbitrary offsets, to reach the checks behind the
     * checksums. Each row's checksum is that of the jsonl's line at its offset, when there is one.
     */
    private void writeIndex(long jsonlSize, long... offsets) throws IOException {
        try (FileChannel ch = FileChannel.open(files.idx(), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                FileChannel jsonl = FileChannel.open(files.jsonl(), StandardOpenOption.READ)) {
            OffsetIndex.Writer w = new OffsetIndex.Writer(ch);
            for (long offset : offsets) {
                w.add(offset, lineCrc(jsonl, offset));
            }
            w.finish(jsonlSize);
        }
    }

    private static int lineCrc(FileChannel jsonl, long offset) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(256);
        jsonl.read(head, offset);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (int i = 0; i < head.position(); i++) {
            crc.update(head.get(i));
            if (head.get(i) == '\n') {
                break;
            }
        }
        return (int) crc.getValue();
    }

    private static void flipBit(Path file, int at) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[at] ^= 0x10;
        Files.write(file, bytes);
    }

    private static void overwrite(Path file, int at, byte[] with) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        System.arraycopy(with, 0, bytes, at, with.length);
        Files.write(file, bytes);
    }
}
