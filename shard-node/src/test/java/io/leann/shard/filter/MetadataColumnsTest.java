package io.leann.shard.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageWriter;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Column evaluation must admit exactly the passages {@link MetadataFilter#test} admits. */
class MetadataColumnsTest {
  private static final Object[] VALUES = {
      "en", "de", "fr", "10", "9", " 12 ", "abc", "", "True", "2021-05-01", 0, 1, 9, 10, 2021, -3, 7L,
      new BigInteger("123456789012345678901234567890"), 0.0, 1.0, 9.5, 1e16, 2.5e-5, true, false,
      List.of(), List.of("ai", "ml"), List.of(1, 2), List.of(1.0, 2.0), Map.of(), Map.of("a", 1),
      ordered("a", 1, "b", 2), ordered("b", 2, "a", 1)};

  private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  private static List<Passage> passages(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] fields = {"lang", "year", "score", "tags", "meta", "flag"};
    return IntStream.range(0, n).mapToObj(row -> {
      Map<String, Object> metadata = new HashMap<>();
      for (String field : fields) {
        int pick = r.nextInt(VALUES.length + 3);
        if (pick < VALUES.length) {
          metadata.put(field, VALUES[pick]);
        } else if (pick == VALUES.length) {
          metadata.put(field, null);
        }
      }
      if (row % 5 == 0) {
        metadata.put("id", "meta-id");
        metadata.put("text", 42);
      }
      return new Passage("p" + row, "passage " + row + (row % 3 == 0 ? " river" : " lantern"), metadata);
    }).toList();
  }

  private static MetadataFilter randomFilter(SplittableRandom r) {
    String[] fields = {"lang", "year", "score", "tags", "meta", "flag", "id", "text", "absent"};
    FilterOperator[] ops = FilterOperator.values();
    Map<String, Object> spec = new LinkedHashMap<>();
    int fieldCount = 1 + r.nextInt(2);
    for (int i = 0; i < fieldCount; i++) {
      Map<String, Object> conditions = new LinkedHashMap<>();
      int opCount = 1 + r.nextInt(2);
      for (int j = 0; j < opCount; j++) {
        FilterOperator op = ops[r.nextInt(ops.length)];
        Object operand;
        do {
          operand = switch (op) {
            case IN, NOT_IN -> List.of(VALUES[r.nextInt(VALUES.length)], VALUES[r.nextInt(VALUES.length)], "p3");
            case IS_TRUE, IS_FALSE -> true;
            default -> r.nextInt(10) == 0 ? "p1" : VALUES[r.nextInt(VALUES.length)];
          };
        } while (!op.accepts(operand));
        conditions.put(op.symbol(), operand);
      }
      spec.put(fields[r.nextInt(fields.length)], conditions);
    }
    return MetadataFilter.of(spec);
  }

  private static BitSet expected(List<Passage> passages, MetadataFilter filter) {
    BitSet bits = new BitSet();
    for (int row = 0; row < passages.size(); row++) {
      if (filter.test(passages.get(row))) {
        bits.set(row);
      }
    }
    return bits;
  }

  @Test
  void columnEvaluationAgreesWithPerPassageTests() {
    List<Passage> passages = passages(600, 5);
    MetadataColumns columns = MetadataColumns.of(passages);
    assertEquals(600, columns.size());
    SplittableRandom r = new SplittableRandom(17);
    int nonTrivial = 0;
    for (int i = 0; i < 1500; i++) {
      MetadataFilter filter = randomFilter(r);
      BitSet expected = expected(passages, filter);
      assertEquals(expected, columns.matching(filter), filter.toString());
      if (expected.cardinality() > 0 && expected.cardinality() < passages.size()) {
        nonTrivial++;
      }
    }
    assertTrue(nonTrivial > 300, "filters should select proper subsets: " + nonTrivial);
  }

  @Test
  void dictionaryKeepsValuesThatOnlyDifferInTypeOrKeyOrderApart() {
    List<Passage> passages = List.of(
        new Passage("a", "", Map.of("v", ordered("a", 1, "b", 2))),
        new Passage("b", "", Map.of("v", ordered("b", 2, "a", 1))),
        new Passage("c", "", Map.of("v", 1)),
        new Passage("d", "", Map.of("v", 1.0)),
        new Passage("e", "", Map.of("v", 1L)));
    MetadataColumns columns = MetadataColumns.of(passages);
    assertEquals(5, columns.distinctValues("v"));
    assertEquals(BitSet.valueOf(new long[] {0b00001}),
        columns.matching(MetadataFilter.of(Map.of("v", Map.of("starts_with", "{'a'")))));
    assertEquals(BitSet.valueOf(new long[] {0b01000}),
        columns.matching(MetadataFilter.of(Map.of("v", Map.of("contains", ".0")))));
    assertEquals(BitSet.valueOf(new long[] {0b11100}),
        columns.matching(MetadataFilter.of(Map.of("v", Map.of("==", true)))));
  }

  @Test
  void buildsFromAPassageStoreAndReadsTextsBackFromIt(@TempDir Path dir) throws IOException {
    List<Passage> passages = passages(300, 9);
    Path jsonl = dir.resolve("documents.leann.passages.jsonl");
    Path idx = dir.resolve("documents.leann.passages.idx");
    Path ids = dir.resolve("documents.ids.txt");
    try (PassageWriter writer = PassageWriter.create(jsonl, idx, ids)) {
      for (Passage p : passages) {
        writer.append(p);
      }
      writer.commit();
    }
    try (PassageStore store = PassageStore.open(jsonl, idx, ids)) {
      MetadataColumns fromStore = MetadataColumns.build(store);
      MetadataColumns inMemory = MetadataColumns.of(passages);
      assertEquals(inMemory.metadataFields(), fromStore.metadataFields());
      SplittableRandom r = new SplittableRandom(23);
      for (int i = 0; i < 300; i++) {
        MetadataFilter filter = randomFilter(r);
        assertEquals(inMemory.matching(filter), fromStore.matching(filter), filter.toString());
      }
      MetadataFilter rivers = MetadataFilter.of(Map.of("text", Map.of("ends_with", "river")));
      assertEquals(100, fromStore.matching(rivers).cardinality());
      MetadataFilter nothing = MetadataFilter.of(Map.of("absent", Map.of("is_false", true)));
      assertTrue(fromStore.matching(nothing).isEmpty());
      assertEquals(300, fromStore.matching(MetadataFilter.ALL).cardinality());
    }
  }
}
