package io.leann.protocol.cluster;

import java.util.Objects;

/**
 * What an embed node offers: the ZMQ endpoint its recompute server listens on and the model it
 * embeds with. Shard nodes connect only to workers that embed as their index was embedded (same
 * model, same tokens per text: {@link #serves}), since distances between embeddings made otherwise
 * mean little.
 *
 * @param endpoint ZMQ endpoint reachable from other nodes, e.g. {@code tcp://10.0.0.7:41231}
 * @param model model id as recorded in index metadata
 * @param dimensions length of the model's vectors
 * @param maxSeqLength the {@code max_seq_length} embedding option the worker applies, or null for
 *     the model's default
 */
public record EmbedWorkerInfo(String endpoint, String model, int dimensions, Integer maxSeqLength)
    implements CborSerializable {

  /**
   * Whether this worker embeds as an index of {@code model}, {@code dimensions} (0: not known yet)
   * and {@code maxSeqLength} (its meta's option, null for the model's default) was embedded.
   */
  public boolean serves(String model, int dimensions, Integer maxSeqLength) {
    return this.model.equals(model) && (dimensions <= 0 || this.dimensions == dimensions)
        && Objects.equals(this.maxSeqLength, maxSeqLength);
  }

  /** The model and options, for messages: {@code model (max_seq_length 128)}. */
  public static String describe(String model, Integer maxSeqLength) {
    return maxSeqLength == null ? model : model + " (max_seq_length " + maxSeqLength + ")";
  }
}
