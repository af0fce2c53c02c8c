package io.leann.protocol.cluster;

/**
 * What an embed node offers: the ZMQ endpoint its recompute server listens on and the model it
 * embeds with. Shard nodes connect only to workers whose model is the one their index was built
 * with, since distances between embeddings of different models mean nothing.
 *
 * @param endpoint ZMQ endpoint reachable from other nodes, e.g. {@code tcp://10.0.0.7:41231}
 * @param model model id as recorded in index metadata
 * @param dimensions length of the model's vectors
 */
public record EmbedWorkerInfo(String endpoint, String model, int dimensions)
    implements CborSerializable {}
