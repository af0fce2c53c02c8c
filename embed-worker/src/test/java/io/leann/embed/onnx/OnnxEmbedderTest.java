package io.leann.embed.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.embed.EmbeddingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxEmbedderTest {

  private static final List<String> TEXTS = List.of(
      "The cat sat on the mat.",
      "A kitten is sleeping on a rug.",
      "Stock markets fell sharply after the interest rate decision.",
      "",
      "How do I install Java on Linux?",
      "Café au lait, s'il vous plaît!",
      "量子计算机使用量子比特。",
      "The central bank raised rates by half a point, and shares dropped.",
      "Photosynthesis converts light energy into chemical energy in plants.",
      "Steps to set up a JDK on Ubuntu: apt-get install openjdk.");

  private static OnnxEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = OnnxEmbedder.create(2);
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void describesTheShippedModel() {
    assertEquals("sentence-transformers/all-MiniLM-L6-v2", embedder.modelId());
    assertEquals(384, embedder.dimensions());
    assertEquals(254, embedder.maxTokens());
  }

  @Test
  void returnsUnitVectorsInInputOrder() {
    float[][] vectors = embedder.embed(TEXTS);
    assertEquals(TEXTS.size(), vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      assertEquals(384, vectors[i].length);
      assertEquals(1.0, Vectors.dot(vectors[i], vectors[i]), 1e-5, "norm of " + i);
      assertArrayEquals(embedder.embed(List.of(TEXTS.get(i)))[0], vectors[i], "text " + i);
    }
    assertEquals(0, embedder.embed(List.of()).length);
  }

  @Test
  void relatedTextsAreCloserThanUnrelatedOnes() {
    float[][] v = embedder.embed(TEXTS);
    assertCloser(v[0], v[1], v[2]); // cat on mat ~ kitten on rug, not stock markets
    assertCloser(v[2], v[7], v[8]); // markets ~ central bank, not photosynthesis
    assertCloser(v[4], v[9], v[0]); // install Java ~ set up a JDK, not the cat
  }

  @Test
  void vectorsDoNotDependOnCallSizeOrderOrThreads() {
    List<String> texts = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 40; i++) {
      texts.add(TEXTS.get(i % TEXTS.size()) + " " + "word".repeat(random.nextInt(5)) + " #" + i);
    }
    float[][] whole = embedder.embed(texts);
    for (int size : new int[] {1, 7, 32}) {
      for (int from = 0; from < texts.size(); from += size) {
        List<String> part = texts.subList(from, Math.min(texts.size(), from + size));
        float[][] vectors = embedder.embed(part);
        for (int i = 0; i < part.size(); i++) {
          assertArrayEquals(
              whole[from + i], vectors[i], "call size " + size + ", text " + (from + i));
        }
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    float[][] shuffled = embedder.embed(order.stream().map(texts::get).toList());
    for (int i = 0; i < order.size(); i++) {
      assertArrayEquals(whole[order.get(i)], shuffled[i]);
    }
    try (OnnxEmbedder other = OnnxEmbedder.create(new OnnxEmbedder.Options(1, 2, 256))) {
      assertArrayEquals(whole, other.embed(texts), "1 thread with 2 intra-op threads");
    }
  }

  @Test
  void concurrentCallersGetTheSameVectors() throws Exception {
    float[][] expected = embedder.embed(TEXTS);
    try (ExecutorService callers = Executors.newFixedThreadPool(4)) {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(callers.submit(() -> embedder.embed(TEXTS)));
      }
      for (Future<float[][]> result : results) {
        assertArrayEquals(expected, result.get());
      }
    }
  }

  @Test
  void embedsTheEmptyText() {
    float[] empty = embedder.embed(List.of(""))[0];
    assertEquals(1.0, Vectors.dot(empty, empty), 1e-5);
    for (float x : empty) {
      assertFalse(Float.isNaN(x));
    }
  }

  @Test
  void ignoresTextBeyondTheSequenceLimit() {
    String head = "The quick brown fox jumps over the lazy dog. ".repeat(30);
    float[][] v = embedder.embed(List.of(head, head + "Completely different words at the end."));
    assertArrayEquals(v[0], v[1]);
  }

  @Test
  void rejectsNullTextsAndUseAfterClose() {
    List<String> withNull = new ArrayList<>(List.of("a"));
    withNull.add(null);
    assertThrows(NullPointerException.class, () -> embedder.embed(withNull));
    OnnxEmbedder closed = OnnxEmbedder.create(1);
    closed.close();
    EmbeddingException e =
        assertThrows(EmbeddingException.class, () -> closed.embed(List.of("a", "b")));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertThrows(EmbeddingException.class, () -> closed.embed(List.of("a")));
    closed.close();
  }

  @Test
  void closingWhileTextsAreEmbeddedWaitsForTheRunningInferences() throws Exception {
    OnnxEmbedder closing = OnnxEmbedder.create(2);
    List<String> texts = Collections.nCopies(64, "A long passage about kittens and sofas. ".repeat(20));
    ExecutorService callers = Executors.newFixedThreadPool(3);
    try {
      List<Future<float[][]>> calls = new ArrayList<>();
      calls.add(callers.submit(() -> closing.embed(texts)));
      calls.add(callers.submit(() -> closing.embed(List.of(texts.getFirst()))));
      calls.add(callers.submit(() -> closing.embed(texts.subList(0, 8))));
      Thread.sleep(50);
      closing.close();
      // Every call either finished with real vectors or was refused as closed; none crashed the JVM.
      for (Future<float[][]> call : calls) {
        try {
          for (float[] v : call.get()) {
            assertEquals(OnnxEmbedder.DIMENSIONS, v.length);
          }
        } catch (java.util.concurrent.ExecutionException e) {
          assertTrue(e.getCause() instanceof EmbeddingException, e.getCause().toString());
        }
      }
      assertThrows(EmbeddingException.class, () -> closing.embed(List.of("after close")));
    } finally {
      callers.shutdown();
    }
  }

  @Test
  void rejectsImpossibleOptions() {
    assertThrows(IllegalArgumentException.class, () -> new OnnxEmbedder.Options(0, 1, 256));
    assertThrows(IllegalArgumentException.class, () -> new OnnxEmbedder.Options(1, 1, 513));
  }

  private static void assertCloser(float[] anchor, float[] related, float[] unrelated) {
    double near = Vectors.dot(anchor, related);
    double far = Vectors.dot(anchor, unrelated);
    assertTrue(near > far + 0.1, "related " + near + " vs unrelated " + far);
  }
}
