package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A passage an answer was grounded in, as it was cited to the model
 * ({@code Source: <source> (lines a-b)}).
 *
 * @param id passage id
 * @param score the search score of the passage
 * @param source the file the passage comes from (its {@code file_path}), else another name of it
 * @param startLine first line of the passage in the file, when known
 * @param endLine last line of the passage in the file, when known
 * @param text the passage text
 * @param metadata all metadata of the passage
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatSource(
    @JsonProperty("id") String id,
    @JsonProperty("score") float score,
    @JsonProperty("source") String source,
    @JsonProperty("start_line") Integer startLine,
    @JsonProperty("end_line") Integer endLine,
    @JsonProperty("text") String text,
    @JsonProperty("metadata") Map<String, Object> metadata) {}
