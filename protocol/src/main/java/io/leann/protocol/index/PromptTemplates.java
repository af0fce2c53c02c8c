package io.leann.protocol.index;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The prompt prefixes an index's texts are embedded with, as the Python LEANN records them in
 * {@code embedding_options}: e5/bge-style models expect {@code "passage: "} before documents and
 * {@code "query: "} before queries, and a missing or wrong prefix silently costs recall.
 *
 * <p>The Python LEANN's layout, kept so its metas and ours read the same:
 * <ul>
 *   <li>{@value #PROMPT_TEMPLATE} alone (only {@code --embedding-prompt-template} given): one prefix
 *       for passages and queries alike;
 *   <li>{@value #QUERY_PROMPT_TEMPLATE}, with {@value #BUILD_PROMPT_TEMPLATE} when a passage prefix
 *       was given too: separate prefixes.
 * </ul>
 * The passage prefix applies wherever passages are embedded: the build, ingest, and the
 * recomputation of a pruned index's passages at search (or the recomputed distances would not be
 * those the graph was built on). The query prefix applies wherever a query is embedded.
 *
 * <p>Immutable and thread-safe.
 *
 * @param passage prepended to every passage text, or null for none
 * @param query prepended to every query, or null for none
 */
public record PromptTemplates(String passage, String query) {

  public static final String PROMPT_TEMPLATE = "prompt_template";
  public static final String BUILD_PROMPT_TEMPLATE = "build_prompt_template";
  public static final String QUERY_PROMPT_TEMPLATE = "query_prompt_template";

  /** No prefixes. */
  public static final PromptTemplates NONE = new PromptTemplates(null, null);

  public PromptTemplates {
    passage = emptyToNull(passage);
    query = emptyToNull(query);
  }

  /** The templates recorded in an index's {@code embedding_options} (null: none). */
  public static PromptTemplates of(Map<String, String> options) {
    if (options == null) {
      return NONE;
    }
    String single = options.get(PROMPT_TEMPLATE);
    String build = options.get(BUILD_PROMPT_TEMPLATE);
    String query = options.get(QUERY_PROMPT_TEMPLATE);
    return new PromptTemplates(build != null ? build : single, query != null ? query : single);
  }

  /**
   * The templates of a build given {@code --embedding-prompt-template} and
   * {@code --query-prompt-template}: a passage template without a query template applies to
   * queries too, as in the Python LEANN.
   */
  public static PromptTemplates fromFlags(String passageTemplate, String queryTemplate) {
    String p = emptyToNull(passageTemplate);
    return new PromptTemplates(p, emptyToNull(queryTemplate) != null ? queryTemplate : p);
  }

  /** These templates with the query prefix replaced, when {@code override} is not null. */
  public PromptTemplates withQuery(String override) {
    return override == null ? this : new PromptTemplates(passage, override);
  }

  /** {@code text} with the passage prefix. */
  public String passage(String text) {
    return passage == null ? text : passage + text;
  }

  /** {@code text} with the query prefix. */
  public String query(String text) {
    return query == null ? text : query + text;
  }

  /**
   * The {@code embedding_options} entries recording these templates in the Python LEANN's layout:
   * {@value #PROMPT_TEMPLATE} when both prefixes are the same, otherwise
   * {@value #BUILD_PROMPT_TEMPLATE} and {@value #QUERY_PROMPT_TEMPLATE}; empty for none.
   */
  public Map<String, String> toOptions() {
    Map<String, String> out = new LinkedHashMap<>();
    if (query != null && query.equals(passage)) {
      out.put(PROMPT_TEMPLATE, passage);
      return out;
    }
    if (passage != null) {
      out.put(BUILD_PROMPT_TEMPLATE, passage);
    }
    if (query != null) {
      out.put(QUERY_PROMPT_TEMPLATE, query);
    }
    return out;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
