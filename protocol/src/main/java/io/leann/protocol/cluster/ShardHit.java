package io.leann.protocol.cluster;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One search result of one index shard, as the shard actor sends it to the coordinator.
 *
 * <p>The hits of all shards are merged by {@link #merge}, in the coordinator as in the in-process
 * engine, so a clustered search returns the same list as a local one.
 *
 * <p>Metadata travels as a JSON tree, not as a {@code Map<String, Object>}: Pekko's Jackson
 * serializers register the Scala module, which would turn nested untyped values into Scala
 * collections on the receiving side. {@link #metadataMap()} gives it back in Jackson's natural
 * Java types, as the passage store returns it.
 *
 * @param id passage id
 * @param row passage row in the index (the shard's first row plus the graph node)
 * @param distance engine distance, lower is closer
 * @param score the distance as users see it ({@code Metric.toScore})
 * @param text passage text
 * @param metadata passage metadata, a JSON object
 */
public record ShardHit(String id, long row, float distance, float score, String text, JsonNode metadata)
    implements CborSerializable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** A hit whose metadata is given in Jackson's natural Java types. */
  public static ShardHit of(String id, long row, float distance, float score, String text,
      Map<String, Object> metadata) {
    return new ShardHit(id, row, distance, score, text, JSON.valueToTree(metadata));
  }

  /**
   * The best {@code k} of the shards' hits together: by {@code distance} (the engine's distance,
   * lower is closer for every metric), ties broken by {@code row} so the order is deterministic.
   */
  public static List<ShardHit> merge(Collection<? extends List<ShardHit>> perShard, int k) {
    List<ShardHit> all = new ArrayList<>();
    perShard.forEach(all::addAll);
    all.sort(Comparator.comparingDouble(ShardHit::distance).thenComparingLong(ShardHit::row));
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** The metadata in Jackson's natural Java types (a fresh map). */
  public Map<String, Object> metadataMap() {
    return JSON.convertValue(metadata, MAP);
  }
}
