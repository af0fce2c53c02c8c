package io.leann.coordinator.search;

import io.leann.coordinator.index.IndexLayout;
import io.leann.embed.Embedder;
import io.leann.embed.PromptedEmbedder;
import io.leann.protocol.Metric;
import io.leann.protocol.index.IndexMeta;
import io.leann.protocol.index.PromptTemplates;
import io.leann.shard.filter.MetadataFilter;
import io.leann.shard.hnsw.TwoLevelOptions;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.KeywordIndex;
import io.leann.shard.text.HybridFusion;
import io.leann.shard.text.Scored;
import io.leann.shard.vector.VectorDistances;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
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
    boolean useRecompute = recompute != null ? recompute : !index.hasVectors();
    return index.search(embedQuery(query), k, ef, useRecompute ? passageEmbedder : null, filter, twoLevel);
  }

  /**
   * Hybrid search: the dense and BM25 result lists (each {@code 2k} long), min-max normalised and
   * fused with weight {@code vectorWeight} on the dense side, LEANN's weighted fusion.
   */
  public List<SearchHit> hybrid(String query, int k, int ef, Boolean recompute, MetadataFilter filter,
      double vectorWeight) throws IOException {
    return hybrid(query, k, ef, recompute, filter, vectorWeight, TwoLevelOptions.defaults()).hits();
  }

  /** Hybrid search with explicit two-level knobs; the cost is that of its dense half. */
  public LocalIndex.DenseHits hybrid(String query, int k, int ef, Boolean recompute, MetadataFilter filter,
      double vectorWeight, TwoLevelOptions twoLevel) throws IOException {
    return LocalIndex.verified(index.layout(), () -> fuse(query, k, ef, recompute, filter, vectorWeight, twoLevel));
  }

  private LocalIndex.DenseHits fuse(String query, int k, int ef, Boolean recompute, MetadataFilter filter,
      double vectorWeight, TwoLevelOptions twoLevel) throws IOException {
    int depth = Math.max(2 * k, 10);
    LocalIndex.DenseHits denseHits = search(query, depth, Math.max(ef, depth), recompute, filter, twoLevel);
    List<SearchHit> dense = denseHits.hits();
    List<Scored> denseScored = new ArrayList<>();
    for (SearchHit h : dense) {
      // L2 scores are distances; negate them so that higher is better on both sides
      denseScored.add(new Scored(h.id(), index.metric() == Metric.L2 ? -h.score() : h.score()));
    }
    KeywordIndex bm25 = index.bm25();
    BitSet matches = filter == null || filter.isEmpty() ? null : index.columns().matching(filter);
    Bm25Hits sparse = bm25.search(query, depth, matches == null ? null : matches::get);
    List<Scored> sparseScored = new ArrayList<>();
    Map<String, Long> rowOf = new HashMap<>();
    for (int i = 0; i < sparse.size(); i++) {
      String id = index.passages().id(sparse.rows()[i]);
      sparseScored.add(new Scored(id, sparse.scores()[i]));
      rowOf.put(id, (long) sparse.rows()[i]);
    }
    Map<String, SearchHit> byId = new HashMap<>();
    dense.forEach(h -> byId.put(h.id(), h));
    List<SearchHit> fused = new ArrayList<>();
    for (Scored s : HybridFusion.fuse(denseScored, sparseScored, vectorWeight, k)) {
      SearchHit h = byId.get(s.id());
      fused.add(h != null ? new SearchHit(h.id(), (float) s.score(), h.text(), h.metadata())
          : index.hit(rowOf.get(s.id()), (float) s.score()));
    }
    return new LocalIndex.DenseHits(fused, denseHits.stats());
  }

  /** The query's embedding, normalised for cosine indexes. */
  public float[] embedQuery(String query) {
    float[] q = embedder.embed(List.of(templates.query(query)))[0];
    if (index.metric().normalises()) {
      VectorDistances.normalize(q);
    }
    return q;
  }

  @Override
  public void close() {
    index.close();
    embedder.close();
  }
}
