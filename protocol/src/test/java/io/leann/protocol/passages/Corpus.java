package io.leann.protocol.passages;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test passages and file layout shared by the passage-store tests. */
final class Corpus {

    static final int HUGE_ROW = 500;

    private static final String[] TEXTS = {
        "日本語のテキストです",
        "emoji 😀👍🏽🧑‍🚀 and a flag 🇯🇵",
        "combining e\u0301 a\u0308 n\u0303",
        "RTL שלום עולם مرحبا بالعالم",
        "line one\nline two\r\nline three\n",
        "quotes \"q\" 'single' backslash \\ slash / tab\t",
        "control \u0000 \u0001 \u001f and separators \u2028 \u2029",
        "",
        "plain ascii text",
    };

    private Corpus() {}

    /** Index-directory file names, as the lead wires them. */
    record Layout(Path jsonl, Path idx, Path ids) {
        static Layout in(Path dir) {
            return new Layout(dir.resolve("documents.leann.passages.jsonl"),
                    dir.resolve("documents.leann.passages.idx"), dir.resolve("documents.ids.txt"));
        }

        PassageStore open() throws IOException {
            return PassageStore.open(jsonl, idx, ids);
        }
    }

    /** {@code n} passages: Unicode edge cases, escapes, nested metadata and, at {@link #HUGE_ROW}, 1 MB of text. */
    static List<Passage> passages(int n) {
        List<Passage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String text = i == HUGE_ROW ? huge() : TEXTS[i % TEXTS.length] + " #" + i;
            out.add(new Passage("doc-" + i, text, metadata(i)));
        }
        return out;
    }

    /** Values in the types Jackson reads back, so equality survives the round trip. */
    static Map<String, Object> metadata(int i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "file-" + (i % 7) + ".txt");
        m.put("page", i);
        m.put("bytes", 5_000_000_000L + i);
        m.put("score", i / 7.0);
        m.put("draft", i % 2 == 0);
        m.put("reviewer", null);
        m.put("tags", Arrays.asList("t" + i, i, 2.5, false, null));
        m.put("nested", Map.of("deep", Map.of("path", List.of("a", "ü", "日"), "level", 3)));
        return m;
    }

    static void write(Layout f, List<Passage> passages) throws IOException {
        try (PassageWriter w = PassageWriter.create(f.jsonl(), f.idx(), f.ids())) {
            for (Passage p : passages) {
                w.append(p);
            }
            w.commit();
        }
    }

    private static String huge() {
        StringBuilder sb = new StringBuilder(1 << 20);
        while (sb.length() < 1 << 20) {
            sb.append("ä日😀x\n\"\\ ");
        }
        return sb.toString();
    }
}
