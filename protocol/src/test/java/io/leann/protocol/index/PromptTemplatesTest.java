package io.leann.protocol.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Python LEANN's {@code embedding_options} template layout, read and written. */
class PromptTemplatesTest {

  @Test
  void aSingleTemplateAppliesToPassagesAndQueriesAndIsRecordedAsPromptTemplate() {
    PromptTemplates t = PromptTemplates.fromFlags("passage: ", null);

    assertEquals("passage: coral", t.passage("coral"));
    assertEquals("passage: coral", t.query("coral"));
    assertEquals(Map.of("prompt_template", "passage: "), t.toOptions());
    assertEquals(t, PromptTemplates.of(t.toOptions()));
  }

  @Test
  void separateTemplatesAreRecordedAsBuildAndQueryTemplates() {
    PromptTemplates t = PromptTemplates.fromFlags("passage: ", "query: ");

    assertEquals(Map.of("build_prompt_template", "passage: ", "query_prompt_template", "query: "), t.toOptions());
    assertEquals(t, PromptTemplates.of(t.toOptions()));
  }

  @Test
  void aQueryTemplateAloneLeavesPassagesAsTheyAre() {
    PromptTemplates t = PromptTemplates.of(Map.of("query_prompt_template", "query: "));

    assertEquals("coral", t.passage("coral"));
    assertEquals("query: coral", t.query("coral"));
  }

  @Test
  void newerKeysWinOverTheSingleTemplateAsThePythonSearcherReadsThem() {
    PromptTemplates t = PromptTemplates.of(Map.of("prompt_template", "old: ", "query_prompt_template", "query: ",
        "build_prompt_template", "passage: "));

    assertEquals("passage: x", t.passage("x"));
    assertEquals("query: x", t.query("x"));
  }

  @Test
  void aSearchOverrideReplacesOnlyTheQueryTemplate() {
    PromptTemplates t = PromptTemplates.fromFlags("passage: ", "query: ").withQuery("search_query: ");

    assertEquals("passage: x", t.passage("x"));
    assertEquals("search_query: x", t.query("x"));
    assertEquals(PromptTemplates.NONE, PromptTemplates.of(null));
    assertEquals(Map.of(), PromptTemplates.fromFlags("", null).toOptions());
    assertNull(PromptTemplates.of(Map.of("host", "http://gpu:11434")).query());
  }

  @Test
  void aMetaWithTemplatesKeepsItsChecksumThroughWriteAndRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    IndexMeta meta = new IndexMeta("1.0", "hnsw", "m", 8, Map.of(), "openai",
        Map.of("base_url", "http://127.0.0.1:1234/v1", "query_prompt_template", "query: "), java.util.List.of(),
        true, true, 0, IndexMeta.FORMAT_VERSION, "cosine", java.util.List.of());
    meta.write(dir.resolve("m.json"));

    assertEquals(meta.embeddingOptions(), IndexMeta.read(dir.resolve("m.json")).embeddingOptions());
  }
}
