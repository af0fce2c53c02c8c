package io.leann.shard.faiss;

import io.leann.protocol.index.GraphFileWriter;
import io.leann.protocol.index.GraphHeader;
import io.leann.protocol.index.GraphSection;
import io.leann.protocol.index.LittleEndian;
import io.leann.shard.hnsw.CompactGraph;
import io.leann.shard.vector.VectorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;

/**
 * Converts a Python LEANN graph into our graph file: the same nodes, levels, links and entry point
 * (no rebuild, no re-embedding), level 0 as compact CSR, and the stored vectors when the FAISS file
 * had them. The file is written atomically by {@link GraphFileWriter}, with its checksums. Stateless.
 */
public final class NativeGraphs {
  private NativeGraphs() {}

  /** Writes {@code index} as our graph file at {@code target}. */
  public static void write(FaissIndex index, Path target) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      CompactGraph graph = CompactGraph.of(index.graph(), true, arena);
      Map<GraphSection, MemorySegment> sections = graph.sections();
      int flags = GraphHeader.COMPACT;
      VectorValues vectors = index.vectors();
      if (vectors != null) {
        flags |= GraphHeader.HAS_VECTORS;
        sections.put(GraphSection.VECTORS, vectorBytes(vectors, arena));
      }
      GraphHeader header = new GraphHeader(index.metric(), index.dims(), graph.size(), graph.maxDegree(1),
          graph.maxDegree(0), graph.entryPoint(), graph.maxLevel(), flags);
      GraphFileWriter.write(target, header, sections);
    }
  }

  private static MemorySegment vectorBytes(VectorValues vectors, Arena arena) {
    int dims = vectors.dims();
    MemorySegment out = arena.allocate(Math.max(1, vectors.byteSize())).asSlice(0, vectors.byteSize());
    float[] row = new float[dims];
    for (int i = 0; i < vectors.size(); i++) {
      vectors.copyTo(i, row);
      MemorySegment.copy(row, 0, out, LittleEndian.FLOAT, (long) i * dims * Float.BYTES, dims);
    }
    return out;
  }
}
