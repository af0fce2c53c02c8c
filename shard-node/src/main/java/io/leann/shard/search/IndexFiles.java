package io.leann.shard.search;

import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexFormatException;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.passages.PassageStore;
import io.leann.shard.faiss.GraphFiles;
import io.leann.shard.hnsw.SearchableIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the files of an index generation for serving, the one way every host does it (the CLI and
 * the standalone server through the coordinator's {@code LocalIndex}, the cluster through the shard
 * actor), and cross-checks them against the meta file that names them, so a meta that disagrees
 * with its files fails to load instead of answering with other passages or other scores:
 * <ul>
 *   <li>the meta alone ({@link #checkMeta}): a {@code format_version} (its value and checksum are
 *       checked by {@link IndexMeta#read}), positive dimensions, a known metric, shards numbered
 *       {@code 0..n-1} whose row ranges tile {@code [0, total_passages)} without gap or overlap;
 *   <li>the passages ({@link #openPassages}): as many as {@code total_passages};
 *   <li>each graph ({@link #openGraph}): its header's node count, dimensions and metric equal the
 *       shard's count and the meta's dimensions and metric, and the shard's ids file lists one id
 *       per node.
 * </ul>
 * A file the meta names but that is missing is corruption too ({@link IndexFormatException} naming
 * it), unlike a missing meta file, which means there is no index. Stateless.
 */
public final class IndexFiles {
  /** LEANN's meta file name at the top of an index directory. */
  public static final String META = "documents.leann.meta.json";

  private IndexFiles() {}

  /**
   * Checks the meta's own fields for consistency.
   *
   * @throws IndexFormatException naming the meta file
   */
  public static void checkMeta(IndexMeta meta, Path metaFile) throws IndexFormatException {
    if (meta.shards() == null || meta.shards().isEmpty() || meta.passageSources() == null
        || meta.passageSources().isEmpty()) {
      throw new IndexFormatException(metaFile, "no shards or passage sources: not an index built by this LEANN");
    }
    if (meta.formatVersion() == null) {
      throw new IndexFormatException(metaFile, "has no format_version: not an index built by this LEANN");
    }
    if (meta.dimensions() <= 0) {
      throw new IndexFormatException(metaFile, "dimensions " + meta.dimensions() + " is not positive");
    }
    try {
      meta.metric();
    } catch (IllegalArgumentException e) {
      throw new IndexFormatException(metaFile, "distance_metric: " + e.getMessage());
    }
    List<IndexMeta.Shard> shards = meta.shards();
    long next = 0;
    for (int k = 0; k < shards.size(); k++) {
      IndexMeta.Shard s = shards.get(k);
      if (s.id() != k) {
        throw new IndexFormatException(metaFile, "shard " + k + " is numbered " + s.id());
      }
      if (s.firstRow() != next || s.count() <= 0) {
        throw new IndexFormatException(metaFile, "shard " + k + " covers rows [" + s.firstRow() + ", "
            + (s.firstRow() + s.count()) + ") but must start at row " + next + " with at least one row");
      }
      next += s.count();
    }
    if (next != meta.totalPassages()) {
      throw new IndexFormatException(metaFile, "the shards cover " + next + " rows, total_passages is "
          + meta.totalPassages());
    }
  }

  /**
   * The passage store of {@code meta}, holding exactly {@code total_passages} passages.
   *
   * @throws IndexFormatException if a store file is missing, corrupt or of another size
   */
  public static PassageStore openPassages(Path indexDir, IndexMeta meta) throws IOException {
    IndexMeta.PassageSource source = meta.passageSources().get(0);
    Path jsonl = resolve(indexDir, source.path());
    PassageStore passages = source.idsPath() == null
        ? PassageStore.open(jsonl, resolve(indexDir, source.indexPath()))
        : PassageStore.open(jsonl, resolve(indexDir, source.indexPath()), resolve(indexDir, source.idsPath()));
    if (passages.size() != meta.totalPassages()) {
      passages.close();
      throw new IndexFormatException(jsonl, "holds " + passages.size() + " passages, " + META + " says "
          + meta.totalPassages());
    }
    return passages;
  }

  /**
   * The graph of {@code shard}, checked against the meta.
   *
   * @throws IndexFormatException if the graph or ids file is missing, corrupt or disagrees with the meta
   */
  public static SearchableIndex openGraph(Path indexDir, IndexMeta meta, IndexMeta.Shard shard)
      throws IOException {
    Path file = resolve(indexDir, shard.graph());
    SearchableIndex graph;
    try {
      graph = GraphFiles.open(file, meta.metric());
    } catch (NoSuchFileException e) {
      throw new IndexFormatException(file, "is missing (" + META + " names it)");
    }
    try {
      Metric metric = meta.metric();
      if (graph.size() != shard.count() || graph.dims() != meta.dimensions() || graph.metric() != metric) {
        throw new IndexFormatException(file, "holds " + graph.size() + " nodes of " + graph.dims()
            + " dimensions under " + graph.metric().leannName() + ", " + META + " says " + shard.count()
            + " of " + meta.dimensions() + " under " + metric.leannName());
      }
      if (shard.ids() != null) {
        Path ids = resolve(indexDir, shard.ids());
        long lines = lines(ids);
        if (lines != shard.count()) {
          throw new IndexFormatException(ids, "lists " + lines + " ids, shard " + shard.id() + " has "
              + shard.count() + " nodes");
        }
      }
      return graph;
    } catch (IOException | RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /**
   * Resolves a path from the meta file against the index directory.
   *
   * @throws IndexFormatException if the path would leave the index directory
   */
  public static Path resolve(Path indexDir, String relative) throws IndexFormatException {
    Path p = indexDir.resolve(relative).normalize();
    if (!p.startsWith(indexDir)) {
      throw new IndexFormatException(indexDir.resolve(META), "path '" + relative + "' leaves the index directory");
    }
    return p;
  }

  private static long lines(Path file) throws IOException {
    long lines = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          lines += buf[i] == '\n' ? 1 : 0;
        }
      }
    } catch (NoSuchFileException e) {
      throw new IndexFormatException(file, "is missing (" + META + " names it)");
    }
    return lines;
  }
}
