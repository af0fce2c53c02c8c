package io.leann.shard.hnsw;

import io.leann.protocol.Metric;
import io.leann.protocol.NodeEmbedder;
import io.leann.protocol.Recomputer;
import io.leann.shard.vector.VectorValues;

/**
 * An in-process {@link Recomputer} that "recomputes" embeddings by reading them from a vector set
 * held elsewhere: the search side sees a pruned index without vectors and pays one request per
 * expansion step, exactly as with remote embed workers, which lets tests and benchmarks check that
 * recompute mode finds what stored-vector mode finds. Thread-safe: each call gets its own source.
 */
public final class VectorRecomputer implements Recomputer, NodeEmbedder {
  private final VectorValues vectors;
  private final Metric metric;

  public VectorRecomputer(VectorValues vectors, Metric metric) {
    this.vectors = vectors;
    this.metric = metric;
  }

  /** Copies of the stored rows: what a model would recompute for these nodes. */
  @Override
  public float[][] embeddings(int[] ids, int count) {
    float[][] out = new float[count][vectors.dims()];
    for (int i = 0; i < count; i++) {
      vectors.copyTo(ids[i], out[i]);
    }
    return out;
  }

  @Override
  public void distances(float[] query, int[] ids, int count, float[] out) {
    new StoredVectorDistances(vectors, metric).setQuery(query).distances(ids, count, out);
  }
}
