package io.leann.coordinator.rag;

import io.leann.coordinator.search.IndexSearcher;
import io.leann.coordinator.search.SearchHit;
import io.leann.protocol.api.LeannService;
import io.leann.protocol.api.SearchRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the RAG flow gets its passages: the search of one index, whether it runs in this process
 * or across a cluster. The RAG code sees only this interface.
 */
@FunctionalInterface
public interface Retriever {

  /**
   * The best passages for {@code query}, best first.
   *
   * @param complexity search beam (ef); at least {@code topK} is used
   * @param recompute recompute embeddings of visited nodes; null lets the index decide
   */
  CompletionStage<List<Passage>> retrieve(String query, int topK, int complexity, Boolean recompute);

  /** Search through a {@link LeannService} (local or clustered); its failures (404, 400) pass through. */
  static Retriever of(LeannService service, String index) {
    return (query, topK, complexity, recompute) -> service
        .search(index, new SearchRequest(query, topK, Math.max(topK, complexity), recompute, null, null))
        .thenApply(response -> response.results().stream().map(Passage::of).toList());
  }

  /** Search of an index opened in this process, on the calling thread (the CLI's). */
  static Retriever of(IndexSearcher searcher) {
    return (query, topK, complexity, recompute) -> {
      try {
        List<SearchHit> hits = searcher.search(query, topK, Math.max(topK, complexity), recompute, null);
        return CompletableFuture.completedFuture(
            hits.stream().map(h -> Passage.of(h.id(), h.score(), h.text(), h.metadata())).toList());
      } catch (IOException e) {
        return CompletableFuture.failedFuture(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }
}
