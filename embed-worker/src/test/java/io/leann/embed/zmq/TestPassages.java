package io.leann.embed.zmq;

import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Passage stores for the server tests: ids "0".."N-1", the LEANN default, so id == row. */
final class TestPassages {
  private TestPassages() {}

  /** Distinct, word-overlapping texts; row 5 is empty, as a passage the server must not embed. */
  static List<String> texts(int n) {
    String[] words = {"graph", "vector", "search", "embedding", "passage", "recompute", "storage",
        "query", "neighbor", "prune", "cluster", "worker"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(i == 5 ? "" : words[i % words.length] + " " + words[(i * 7 + 3) % words.length]
          + " number " + i + " about " + words[(i * 5 + 1) % words.length]);
    }
    return out;
  }

  static PassageStore write(Path dir, List<String> texts) throws IOException {
    Path jsonl = dir.resolve("documents.leann.passages.jsonl");
    Path idx = dir.resolve("documents.leann.passages.idx");
    Path ids = dir.resolve("documents.ids.txt");
    try (PassageWriter writer = PassageWriter.create(jsonl, idx, ids)) {
      for (int i = 0; i < texts.size(); i++) {
        writer.append(new Passage(Integer.toString(i), texts.get(i), Map.of()));
      }
      writer.commit();
    }
    return PassageStore.open(jsonl, idx, ids);
  }
}
