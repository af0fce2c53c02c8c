package io.leann.protocol.wire;

/**
 * A decoded native frame: the request id from its header (a reply carries its request's id), the
 * trace id of the work it serves, or null if it carries none, and the message in its body.
 */
public record NativeFrame(long requestId, String traceId, NativeMessage message) {}
