package io.leann.coordinator.build;

import io.leann.protocol.api.DocumentIn;
import io.leann.shard.filter.MetadataFilter;
import java.util.List;

/**
 * What one API job changes in an index: the passages whose metadata passes {@code removed} are
 * dropped (none when it is null), then the {@code added} documents are appended.
 *
 * @param id the job's id; names the passages of added documents when row numbers are taken
 *     (and is recorded, as the job of the index's {@link IngestLog}, in the manifest of the
 *     generation that applies it)
 */
public record IngestChange(String id, List<DocumentIn> added, MetadataFilter removed) {
  public IngestChange {
    added = List.copyOf(added);
  }
}
