package io.leann.bench;

import java.util.List;

/**
 * What one system (ours or a peer) did on the data set: build time with the same thread count,
 * index size, and its recall/QPS sweep over the same ef values.
 *
 * @param name system name as printed
 * @param buildSeconds wall-clock build time
 * @param indexBytes size of the saved index file (in-JVM peers: the graph's heap bytes)
 * @param sweep one point per ef, ascending ef
 * @param notes how the library was compiled, where it says (FAISS: e.g. {@code GENERIC},
 *     {@code AVX2}), or, for an in-JVM peer, its settings; else empty
 */
record SystemRun(String name, double buildSeconds, long indexBytes, List<SweepPoint> sweep,
    String notes) {}
