package io.leann.coordinator.search;

import java.util.Map;

/**
 * One search result as users see it: LEANN's {@code SearchResult(id, score, text, metadata)}.
 *
 * @param id passage id
 * @param score dot product (mips, cosine: higher is better) or squared L2 (lower is better)
 * @param text passage text
 * @param metadata passage metadata
 */
public record SearchHit(String id, float score, String text, Map<String, Object> metadata) {}
