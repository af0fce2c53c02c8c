package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * The body of {@code POST /indexes/{name}/documents/delete}: the documents whose own metadata (as
 * given when they were added) passes the filter are deleted, all of their passages.
 *
 * @param metadataFilters LEANN filter shape {@code {"field": {"op": value}}}; required, not empty,
 *     so that no request deletes everything by omission
 */
public record DeleteRequest(@JsonProperty("metadata_filters") Map<String, Object> metadataFilters) {

  /** This request, or a 400 naming what is missing. */
  public DeleteRequest validated() {
    if (metadataFilters == null || metadataFilters.isEmpty()) {
      throw ApiException.badRequest("metadata_filters",
          "is required and must not be empty: it selects the documents to delete");
    }
    return this;
  }
}
