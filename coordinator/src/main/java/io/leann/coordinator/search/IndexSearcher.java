package io.leann.coordinator.search;

import io.leann.coordinator.index.IndexLayout;
import io.leann.embed.Embedder;
import io.leann.embed.PromptedEmbedder;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.search.OpenShard;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.HybridFusion;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Text-in, passages-out search over a {@link LocalIndex}: embeds the query with the model the
 * index was built with and, in recompute mode, embeds the visited passages with the same model
 * in process. The index's prompt templates ({@link PromptTemplates}) go before the query and
 * before every recomputed passage, as the build put its template before every passage. Owns the
 * index and the embedder; close it to release both.
 */
public final class IndexSearcher implements AutoCloseable {
  private final LocalIndex index;
  private final Embedder embedder;
  /** {@link #embedder} behind the passage template: what recomputation embeds with. */
  private final Embedder passageEmbedder;
  private final PromptTemplates templates;

  private IndexSearcher(LocalIndex index, Embedder embedder, PromptTemplates templates) {
    this.index = index;
    this.embedder = embedder;
    this.templates = templates;
    this.passageEmbedder = PromptedEmbedder.of(embedder, templates.passage());
  }

  /**
   * Opens the index and its embedder. The model is loaded while the index files are mapped and
   * verified: both take a few hundred milliseconds, which is most of a one-shot CLI search.
   */
  public static IndexSearcher open(IndexLayout layout, Map<String, String> env) throws IOException {
    return open(layout, env, null);
  }

  /**
   * Like {@link #open(IndexLayout, Map)}, with the index's query template replaced.
   *
   * @param queryTemplate prefix for queries, or null for the one the index records
   */
  public static IndexSearcher open(IndexLayout layout, Map<String, String> env, String queryTemplate)
      throws IOException {
    IndexMeta meta = LocalIndex.readMeta(layout);
    PromptTemplates templates = PromptTemplates.of(meta.embeddingOptions()).withQuery(queryTemplate);
    CompletableFuture<Embedder> embedder = CompletableFuture.supplyAsync(() -> Embedders.forIndex(meta, env));
    LocalIndex index;
    try {
      index = LocalIndex.open(layout);
    } catch (IOException | RuntimeException e) {
      embedder.thenAccept(Embedder::close);
      throw e;
    }
    try {
      return new IndexSearcher(index, embedder.join(), templates);
    } catch (CompletionException e) {
      index.close();
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  public LocalIndex index() {
    return index;
  }

  /**
   * Dense search, optionally filtered.
   *
   * @param recompute true/false to force a mode; null picks recompute only when no vectors are stored
   * @param filter metadata filter, or null
   */
  public List<SearchHit> search(String query, int k, int ef, Boolean recompute, MetadataFilter filter)
      throws IOException {
    return search(query, k, ef, recompute, filter, TwoLevelOptions.defaults()).hits();
  }

  /**
   * Dense search with explicit two-level knobs (used when the index has PQ codes and the search
   * recomputes), and its cost.
   */
  public LocalIndex.DenseHits search(String query, int k, int ef, Boolean recompute, MetadataFilter filter,
      TwoLevelOptions twoLevel) throws IOException {
    return index.search(embedQuery(query), k, ef, recomputeWith(recompute), filter, twoLevel);
  }

  /**
   * Hybrid search: the dense and BM25 result lists (each {@link HybridFusion#depth} long) fused as
   * {@code fusion} says ({@link HybridHits}); the cost is that of its dense half.
   */
  public LocalIndex.DenseHits hybrid(String query, int k, int ef, Boolean recompute, MetadataFilter filter,
      HybridFusion.Spec fusion, TwoLevelOptions twoLevel) throws IOException {
    int depth = HybridFusion.depth(k);
    OpenShard.Hits dense = index.merged(embedQuery(query), depth, Math.max(ef, depth), recomputeWith(recompute),
        filter, twoLevel);
    return LocalIndex.verified(index.layout(), () -> {
      BitSet matches = filter == null || filter.isEmpty() ? null : index.columns().matching(filter);
      Bm25Hits sparse = index.bm25().search(query, depth, matches == null ? null : matches::get);
      return new LocalIndex.DenseHits(HybridHits.fuse(fusion, dense.hits(), sparse, index.passages(), k),
          dense.stats());
    });
  }

  /** The embedder a search recomputes with: null picks recompute only when no vectors are stored. */
  private Embedder recomputeWith(Boolean recompute) {
    return (recompute != null ? recompute : !index.hasVectors()) ? passageEmbedder : null;
  }

  /** The query's embedding behind the index's query template, as the model returns it (the engine normalises). */
  public float[] embedQuery(String query) {
    return embedder.embed(List.of(templates.query(query)))[0];
  }

  @Override
  public void close() {
    index.close();
    embedder.close();
  }
}
