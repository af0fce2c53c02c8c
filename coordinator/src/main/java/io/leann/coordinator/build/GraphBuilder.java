package io.leann.coordinator.build;

import io.leann.coordinator.index.IndexLayout;
import io.leann.protocol.index.IndexMeta;
import io.leann.shard.hnsw.GraphBuild;
import io.leann.shard.hnsw.HnswIndex;
import java.io.IOException;
import java.util.List;

/**
 * The graph stage of the build pipeline ({@link IndexBuilder}): builds every shard's graph with the
 * index's one recipe ({@link GraphBuild}) from the rows of the generation's finished embeddings
 * file, and writes it where the shard's {@link IndexMeta.Shard#graph()} says. Implementations: in
 * this process ({@link #IN_PROCESS}), and on the shard nodes that will serve the shards (the
 * cluster's {@code ShardActor.BuildGraph}, which maps the same file).
 */
public interface GraphBuilder {
  /**
   * @param layout the index; the shards' paths are relative to it
   * @param spool the finished embeddings, row {@code i} being passage row {@code i}
   * @param shards the shards to build, each over its contiguous rows
   */
  void build(IndexLayout layout, GraphBuild recipe, EmbeddingSpool spool, List<IndexMeta.Shard> shards,
      Progress progress) throws IOException;

  /** One shard after the other, each with the recipe's insertion threads. */
  GraphBuilder IN_PROCESS = (layout, recipe, spool, shards, progress) -> {
    for (IndexMeta.Shard s : shards) {
      progress.stage("graph " + (s.id() + 1) + "/" + shards.size(), s.count());
      try (HnswIndex index = recipe.build(spool.slice(s.firstRow(), s.firstRow() + s.count()))) {
        index.save(layout.resolve(s.graph()));
      }
      progress.done(s.count() + " nodes");
    }
  };
}
