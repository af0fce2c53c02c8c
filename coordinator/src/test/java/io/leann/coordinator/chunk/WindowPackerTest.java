package io.leann.coordinator.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPackerTest {

  private static List<Span> costs(int... costs) {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < costs.length; i++) {
      spans.add(new Span(i, i + 1, costs[i]));
    }
    return spans;
  }

  private static List<String> pack(List<Span> units, int size, int overlap) {
    return WindowPacker.pack(units, size, overlap).stream().map(w -> w.from() + "-" + w.to()).toList();
  }

  @Test
  void packsGreedilyWithOverlap() {
    assertEquals(List.of("0-3", "2-5", "4-6"), pack(costs(3, 3, 3, 3, 3, 3), 10, 3));
    assertEquals(List.of("0-3", "3-6"), pack(costs(3, 3, 3, 3, 3, 3), 10, 2), "overlap budget below one unit");
  }

  @Test
  void overlapShrinksSoTheNextUnitFits() {
    assertEquals(List.of("0-2", "2-3", "3-4"), pack(costs(2, 2, 9, 2), 10, 4));
  }

  @Test
  void oversizedUnitGetsAWindowOfItsOwnAndProgressIsGuaranteed() {
    assertEquals(List.of("0-1", "1-2", "2-3"), pack(costs(20, 20, 1), 10, 9));
    assertEquals(List.of(), pack(costs(), 10, 5));
  }
}
