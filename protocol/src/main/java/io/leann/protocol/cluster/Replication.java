package io.leann.protocol.cluster;

/**
 * The replication factor of an index as the cluster-wide registry records it: how many copies of
 * each shard should run, each on its own shard node. An index without a record has the default,
 * {@link #DEFAULT} copies when the cluster has that many shard nodes.
 *
 * <p>Invariant: {@code replicas} is in [1, {@link #MAX}].
 */
public record Replication(int replicas) implements CborSerializable {
  /** Copies of a shard when the index sets none, as far as there are shard nodes for them. */
  public static final int DEFAULT = 2;
  public static final int MAX = 16;

  public Replication {
    if (replicas < 1 || replicas > MAX) {
      throw new IllegalArgumentException("replicas must be in [1, " + MAX + "], not " + replicas);
    }
  }

  /**
   * The copies that can run now: the factor ({@link #DEFAULT} when {@code factor} is null), but no
   * more than there are shard nodes, since two copies of a shard never share a node; at least 1.
   */
  public static int effective(Replication factor, int shardNodes) {
    int wanted = factor == null ? DEFAULT : factor.replicas();
    return Math.max(1, Math.min(wanted, shardNodes));
  }
}
