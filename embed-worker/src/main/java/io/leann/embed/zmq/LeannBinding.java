package io.leann.embed.zmq;

import io.leann.protocol.Metric;
import java.util.Objects;

/**
 * What a {@link RecomputeServer} needs to answer the Python LEANN's id-based requests, which name
 * passages instead of carrying their texts: where the texts are and which metric the index uses.
 * For {@link Metric#COSINE} the server normalises fresh embeddings before comparing or returning
 * them (the Python server does not, which is only exact for models that output unit vectors).
 */
public record LeannBinding(PassageTexts passages, Metric metric) {
  public LeannBinding {
    Objects.requireNonNull(passages, "passages");
    Objects.requireNonNull(metric, "metric");
  }
}
