package io.leann.bench.jvm;

import io.leann.bench.data.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An HNSW library that runs inside this JVM (Lucene's {@code util.hnsw}, jvector), built over the
 * harness's own vectors and searched with its queries, so it is measured in the same process, on
 * the same data and with the same JIT as ours. {@link #build} once, then {@link #search} from one
 * thread.
 */
public interface JvmPeer {
  /** Names accepted by {@link #create}. */
  List<String> NAMES = List.of(LucenePeer.NAME, JVectorPeer.NAME);

  /** The peer called {@code name}; null for a name this class does not know. */
  static JvmPeer create(String name) {
    return switch (name) {
      case LucenePeer.NAME -> new LucenePeer();
      case JVectorPeer.NAME -> new JVectorPeer();
      default -> null;
    };
  }

  /** The data set's train vectors as one array per row, the shape both libraries take. */
  static List<float[]> rows(Dataset data) {
    List<float[]> rows = new ArrayList<>(data.trainSize());
    for (int i = 0; i < data.trainSize(); i++) {
      rows.add(Arrays.copyOfRange(data.train(), i * data.dims(), (i + 1) * data.dims()));
    }
    return rows;
  }

  /** Name and version as printed. */
  String name();

  /**
   * Builds the graph over the data set's train vectors with HNSW's {@code m} (level 0 keeps
   * {@code 2m}), beam {@code efConstruction} and {@code threads} inserting threads.
   */
  void build(Dataset data, int m, int efConstruction, int threads) throws IOException;

  /** The library's settings that shape its graph, stated in the report. */
  String settings();

  /** Heap bytes of the graph as the library accounts them. */
  long graphBytes();

  /** Ids of the {@code k} nearest train vectors found with a search beam of {@code max(ef, k)}. */
  int[] search(float[] query, int k, int ef);
}
