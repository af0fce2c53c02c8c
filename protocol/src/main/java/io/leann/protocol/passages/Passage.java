package io.leann.protocol.passages;

import java.util.Map;

/**
 * One passage of an index: the unit that is embedded, searched and returned.
 *
 * <p>Invariants: {@code id} and {@code text} are non-null; {@code metadata} is non-null (an absent
 * map becomes an empty one). The metadata map is an arbitrary JSON object held in Jackson's natural
 * types ({@code String}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double},
 * {@code Boolean}, {@code null}, {@code List}, {@code Map}); it is not copied, so a passage read from
 * a {@link PassageStore} owns a fresh map and one built by a caller shares the caller's.
 *
 * @param id       the passage id, unique within an index (by default {@code "0".."N-1"}, equal to the row)
 * @param text     the passage text
 * @param metadata arbitrary JSON object attached to the passage
 */
public record Passage(String id, String text, Map<String, Object> metadata) {

    public Passage {
        if (id == null) {
            throw new IllegalArgumentException("passage id must not be null");
        }
        if (text == null) {
            throw new IllegalArgumentException("text of passage \"" + id + "\" must not be null");
        }
        if (metadata == null) {
            metadata = Map.of();
        }
    }
}
