package io.leann.protocol.cluster;

/**
 * Embeddings sent back by an embed node: one vector per requested text, in request order. A record
 * around the array because only classes carrying {@link CborSerializable} may cross the cluster.
 *
 * @param vectors one embedding per text
 */
public record Vectors(float[][] vectors) implements CborSerializable {}
