package io.leann.shard.faiss;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * testdata/leann-python: the two indexes, the 10 query embeddings and the exact top-10 ids
 * and inner-product scores of expected.json.
 */
record PythonLeannFixture(Path full, Path pruned, float[][] queries, List<List<String>> exactIds,
    List<float[]> exactScores) {
  static final int DIMS = 384;

  static PythonLeannFixture load() throws IOException {
    Path dir = Fixtures.leannPython();
    ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("query_embeddings.f32")))
        .order(ByteOrder.LITTLE_ENDIAN);
    JsonNode expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    int n = expected.path("queries").size();
    float[][] queries = new float[n][DIMS];
    for (float[] q : queries) {
      raw.asFloatBuffer().get(q);
      raw.position(raw.position() + DIMS * Float.BYTES);
    }
    List<List<String>> ids = new ArrayList<>();
    List<float[]> scores = new ArrayList<>();
    for (JsonNode q : expected.path("queries")) {
      List<String> top = new ArrayList<>();
      q.path("exact_top10_ids").forEach(id -> top.add(id.asText()));
      ids.add(top);
      float[] s = new float[top.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = (float) q.path("exact_top10_scores").get(i).asDouble();
      }
      scores.add(s);
    }
    return new PythonLeannFixture(dir.resolve("leann-python-full"), dir.resolve("leann-python-pruned"),
        queries, ids, scores);
  }

  /** Of the expected top {@code ids.size()} of query {@code q}, how many {@code found} holds. */
  int hits(int q, List<String> found) {
    return (int) exactIds.get(q).stream().filter(found::contains).count();
  }
}
