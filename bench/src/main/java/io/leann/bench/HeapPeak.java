package io.leann.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/**
 * Peak Java heap use over a stretch of work, from the heap memory pools' peak-usage counters:
 * {@link #start} collects garbage and resets them, {@link #peakBytes} sums each pool's peak since.
 * Pools peak at different moments, so the sum is an upper bound of the true peak (eden alone
 * peaks near its capacity between collections); it is the number to compare against the bytes
 * the result holds.
 */
final class HeapPeak {
  private final List<MemoryPoolMXBean> pools;
  private final long baselineBytes;

  private HeapPeak(List<MemoryPoolMXBean> pools, long baselineBytes) {
    this.pools = pools;
    this.baselineBytes = baselineBytes;
  }

  static HeapPeak start() {
    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
        .toList();
    System.gc();
    long used = 0;
    for (MemoryPoolMXBean pool : heap) {
      pool.resetPeakUsage();
      used += pool.getUsage().getUsed();
    }
    return new HeapPeak(heap, used);
  }

  /** Heap in use right after the collection at {@link #start}. */
  long baselineBytes() {
    return baselineBytes;
  }

  /** Sum of the heap pools' peak use since {@link #start}. */
  long peakBytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : pools) {
      peak += pool.getPeakUsage().getUsed();
    }
    return peak;
  }
}
