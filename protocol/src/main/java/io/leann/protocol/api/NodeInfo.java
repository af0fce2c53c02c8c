package io.leann.protocol.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A cluster member for {@code GET /admin/nodes}: address ({@code pekko://leann@host:port}), roles, status. */
public record NodeInfo(
    @JsonProperty("address") String address,
    @JsonProperty("roles") List<String> roles,
    @JsonProperty("status") String status) {}
