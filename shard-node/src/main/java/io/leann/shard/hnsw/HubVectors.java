package io.leann.shard.hnsw;

import io.leann.protocol.index.LittleEndian;
import io.leann.shard.vector.ArrayVectors;
import io.leann.shard.vector.SegmentVectors;
import io.leann.shard.vector.Similarity;
import io.leann.shard.vector.VectorValues;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Exact embeddings of the best-connected nodes of a pruned index, kept within a byte budget so a
 * recompute search finds them without asking a model. The nodes most often linked to are the ones
 * every search walks through (the LEANN paper measures a ~42% hit rate for the top 10%), so a small
 * budget saves a share of recomputes far larger than its share of nodes.
 *
 * <p>Invariants: node ids ascending and distinct; row {@code i} of the vectors belongs to
 * {@code nodes[i]}; rows are unit length for cosine, like every vector of the index. Immutable and
 * thread-safe.
 */
public final class HubVectors {
  private final int[] nodes;
  private final VectorValues vectors;

  private HubVectors(int[] nodes, VectorValues vectors) {
    this.nodes = nodes;
    this.vectors = vectors;
  }

  /**
   * The nodes with the most incoming level-0 links (ties to the lower id) whose vectors fit in
   * {@code budgetBytes}, counting 4 bytes of id per node.
   */
  public static HubVectors select(HnswGraph graph, VectorValues all, long budgetBytes) {
    int perNode = all.dims() * Float.BYTES + Integer.BYTES;
    int count = (int) Math.min(graph.size(), Math.max(0, budgetBytes / perNode));
    int[] inDegree = new int[graph.size()];
    int[] scratch = new int[Math.max(1, graph.maxDegree(0))];
    for (int node = 0; node < graph.size(); node++) {
      int n = graph.neighbors(0, node, scratch);
      for (int i = 0; i < n; i++) {
        inDegree[scratch[i]]++;
      }
    }
    int[] chosen = IntStream.range(0, graph.size()).boxed()
        .sorted((a, b) -> inDegree[a] != inDegree[b] ? Integer.compare(inDegree[b], inDegree[a])
            : Integer.compare(a, b))
        .limit(count).mapToInt(Integer::intValue).sorted().toArray();
    float[] data = new float[chosen.length * all.dims()];
    float[] row = new float[all.dims()];
    for (int i = 0; i < chosen.length; i++) {
      all.copyTo(chosen[i], row);
      System.arraycopy(row, 0, data, i * all.dims(), row.length);
    }
    return new HubVectors(chosen, new ArrayVectors(data, all.dims()));
  }

  /**
   * Reads the two file sections.
   *
   * @throws IllegalArgumentException naming what is inconsistent (the caller adds the file name)
   */
  public static HubVectors fromSegments(MemorySegment nodeSection, MemorySegment vectorSection,
      int dims, int graphSize) {
    if (nodeSection.byteSize() % Integer.BYTES != 0) {
      throw new IllegalArgumentException("hub node section has " + nodeSection.byteSize()
          + " bytes, not a whole number of i32");
    }
    int count = (int) (nodeSection.byteSize() / Integer.BYTES);
    int[] nodes = new int[count];
    MemorySegment.copy(nodeSection, LittleEndian.INT, 0, nodes, 0, count);
    for (int i = 0; i < count; i++) {
      if (nodes[i] < 0 || nodes[i] >= graphSize || (i > 0 && nodes[i] <= nodes[i - 1])) {
        throw new IllegalArgumentException("hub node " + i + " is " + nodes[i]
            + ": hub ids must ascend within 0.." + (graphSize - 1));
      }
    }
    if (vectorSection.byteSize() != (long) count * dims * Float.BYTES) {
      throw new IllegalArgumentException("hub vector section has " + vectorSection.byteSize()
          + " bytes, expected " + count + " hubs x " + dims + " floats");
    }
    return new HubVectors(nodes, new SegmentVectors(vectorSection, dims, count));
  }

  /** The node section: ids as little-endian i32. */
  public MemorySegment nodeSegment() {
    MemorySegment out = MemorySegment.ofArray(new byte[nodes.length * Integer.BYTES]);
    MemorySegment.copy(nodes, 0, out, LittleEndian.INT, 0, nodes.length);
    return out;
  }

  /** The vector section: rows as little-endian f32. */
  public MemorySegment vectorSegment() {
    int dims = vectors.dims();
    MemorySegment out = MemorySegment.ofArray(new byte[nodes.length * dims * Float.BYTES]);
    float[] row = new float[dims];
    for (int i = 0; i < nodes.length; i++) {
      vectors.copyTo(i, row);
      MemorySegment.copy(row, 0, out, LittleEndian.FLOAT, (long) i * dims * Float.BYTES, dims);
    }
    return out;
  }

  /** The row of {@code node}, or -1 if it is not a hub. */
  public int slot(int node) {
    int s = Arrays.binarySearch(nodes, node);
    return s >= 0 ? s : -1;
  }

  /** Engine distance between {@code query} and the hub in row {@code slot}. */
  public float distance(float[] query, int slot, Similarity similarity) {
    return similarity.distance(query, vectors, slot);
  }

  public int size() {
    return nodes.length;
  }

  public long byteSize() {
    return (long) nodes.length * Integer.BYTES + vectors.byteSize();
  }
}
