package io.leann.protocol.wire;

/**
 * A decoded native frame: the request id from its header (a reply carries its request's id) and
 * the message in its body.
 */
public record NativeFrame(long requestId, NativeMessage message) {}
