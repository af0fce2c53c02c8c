package io.leann.coordinator.search;

import io.leann.protocol.api.ApiException;
import io.leann.protocol.api.SearchRequest;
import io.leann.protocol.cluster.ShardHit;
import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.HybridFusion;
import io.leann.shard.text.Scored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last step of a hybrid search, the same in the standalone engine ({@link IndexSearcher}) and in
 * the cluster ({@code ClusterLeannService}): the dense hits, merged over the shards, and the BM25
 * hits of the whole index are fused ({@link HybridFusion}), and each fused passage comes back with
 * its text and metadata (a dense hit carries them; a keyword-only hit is read from the store).
 * Each side should be {@link HybridFusion#depth(int)} deep. Stateless and thread-safe.
 */
public final class HybridHits {
  private HybridHits() {}

  /**
   * The fusion {@code request} asks for, or null for a dense-only search.
   *
   * @throws ApiException 400 naming {@code fusion} or {@code vector_weight} when they are wrong
   */
  public static HybridFusion.Spec fusion(SearchRequest request) {
    try {
      return HybridFusion.Spec.of(request.fusion(), request.vectorWeight());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(request.fusion() != null ? "fusion" : "vector_weight", e.getMessage());
    }
  }

  /**
   * The best {@code k} passages of {@code dense} and {@code sparse} fused as {@code spec} says, with
   * the fused score.
   *
   * @param dense dense hits, closest first
   * @param sparse BM25 hits, rows of {@code passages}
   * @throws PassageStoreException if a keyword-only passage fails its checks
   */
  public static List<SearchHit> fuse(HybridFusion.Spec spec, List<ShardHit> dense, Bm25Hits sparse,
      PassageStore passages, int k) throws PassageStoreException {
    List<Scored> denseScored = new ArrayList<>(dense.size());
    Map<String, ShardHit> byId = new HashMap<>();
    for (ShardHit h : dense) {
      // The engine distance is lower-is-closer for every metric: negated, higher is better, as fusion needs.
      denseScored.add(new Scored(h.id(), -h.distance()));
      byId.putIfAbsent(h.id(), h);
    }
    List<Scored> sparseScored = new ArrayList<>(sparse.size());
    Map<String, Long> rowOf = new HashMap<>();
    for (int i = 0; i < sparse.size(); i++) {
      String id = passages.id(sparse.rows()[i]);
      sparseScored.add(new Scored(id, sparse.scores()[i]));
      rowOf.putIfAbsent(id, (long) sparse.rows()[i]);
    }
    List<SearchHit> fused = new ArrayList<>();
    for (Scored s : HybridFusion.fuse(spec, denseScored, sparseScored, k)) {
      ShardHit h = byId.get(s.id());
      if (h != null) {
        fused.add(new SearchHit(h.id(), (float) s.score(), h.text(), h.metadataMap()));
      } else {
        Passage p = passages.get(rowOf.get(s.id()));
        fused.add(new SearchHit(p.id(), (float) s.score(), p.text(), p.metadata()));
      }
    }
    return fused;
  }
}
