package io.leann.coordinator.chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy packing of consecutive units into windows of bounded cost with overlap, the core of every
 * chunker here (sentences for prose, lines for code, members for AST chunks).
 *
 * <p>A window takes units while their summed cost stays within {@code size} (a lone unit above
 * {@code size} still makes a window of its own rather than being lost). The next window starts by
 * re-taking trailing units of the previous one whose summed cost stays within {@code overlap},
 * shrunk if needed so that it can also take at least one new unit; so every window makes progress
 * and the overlap between neighbours never exceeds {@code overlap}. Stateless and thread-safe.
 */
final class WindowPacker {

  /** A window over units {@code [from, to)}. */
  record Window(int from, int to) {
  }

  private WindowPacker() {
  }

  static List<Window> pack(List<Span> units, int size, int overlap) {
    List<Window> windows = new ArrayList<>();
    int n = units.size();
    int start = 0;
    while (start < n) {
      int end = start;
      long total = 0;
      while (end < n && (end == start || total + units.get(end).cost() <= size)) {
        total += units.get(end).cost();
        end++;
      }
      windows.add(new Window(start, end));
      if (end == n) {
        break;
      }
      int next = end;
      long carried = 0;
      while (next - 1 > start && carried + units.get(next - 1).cost() <= overlap) {
        carried += units.get(next - 1).cost();
        next--;
      }
      while (next < end && carried + units.get(end).cost() > size) {
        carried -= units.get(next).cost();
        next++;
      }
      start = next;
    }
    return windows;
  }
}
