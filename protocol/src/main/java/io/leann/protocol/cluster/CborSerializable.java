package io.leann.protocol.cluster;

/**
 * Marker of every message and replicated value that crosses a node boundary in the Pekko cluster.
 * {@code application.conf} binds it to Pekko's {@code jackson-cbor} serializer, and Java
 * serialization stays off, so a message that lacks the marker fails loudly instead of being sent
 * with an unsafe format. Records implementing it need no annotations: the concrete class travels in
 * the serializer manifest.
 */
public interface CborSerializable {}
