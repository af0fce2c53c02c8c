package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** One document of {@code POST /indexes/{name}/documents}: text plus optional metadata. */
public record DocumentIn(
    @JsonProperty("text") String text,
    @JsonProperty("metadata") Map<String, Object> metadata) {}
