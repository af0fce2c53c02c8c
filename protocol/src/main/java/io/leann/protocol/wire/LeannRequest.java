package io.leann.protocol.wire;

import java.util.List;
import java.util.Objects;

/**
 * The four requests of the Python LEANN embedding server, as {@link LeannMsgpack} decodes them from
 * their msgpack shapes. Passage ids are kept as strings: the Python searcher sends integers (graph
 * node ids), which become their decimal form, and older clients send strings; either way the
 * server looks passages up by that string, as the Python server does with {@code str(id)}.
 */
public sealed interface LeannRequest {

  /** {@code ["__QUERY_MODEL__"]}: which model does the server run? Answered with {@code [model]}. */
  record QueryModel() implements LeannRequest {}

  /** {@code ["t1", "t2", ...]}: embed these texts (the query path). Answered with a list of vectors. */
  record EmbedTexts(List<String> texts) implements LeannRequest {
    public EmbedTexts {
      texts = List.copyOf(texts);
    }
  }

  /**
   * {@code [[ids...], [query f32...]]}: recompute the passages' embeddings and answer
   * {@code [[distance...]]}.
   */
  record DistancesById(List<String> ids, float[] query) implements LeannRequest {
    public DistancesById {
      ids = List.copyOf(ids);
      Objects.requireNonNull(query, "query");
    }
  }

  /** {@code [[ids...]]}: answer {@code [[n, dim], [flat f32...]]}, zeros for unknown ids. */
  record EmbeddingsById(List<String> ids) implements LeannRequest {
    public EmbeddingsById {
      ids = List.copyOf(ids);
    }
  }
}
