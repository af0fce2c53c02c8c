package io.leann.coordinator.chunk;

import java.util.List;

/**
 * The chunks of one document and any fallback the chunker had to take for it.
 *
 * @param chunks   in document order; empty for blank documents
 * @param warnings fallbacks taken, empty when the document was chunked as configured
 */
public record ChunkResult(List<Chunk> chunks, List<ChunkWarning> warnings) {

  public ChunkResult {
    chunks = List.copyOf(chunks);
    warnings = List.copyOf(warnings);
  }
}
